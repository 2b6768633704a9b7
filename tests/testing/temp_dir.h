// TempDir: a fresh directory under the system temp dir, removed with everything in it on
// destruction. Tests put real RocksDB databases here.
#pragma once

#include <filesystem>
#include <string>

namespace wijkflow::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // A path inside the directory, e.g. Sub("db").
  std::string Sub(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace wijkflow::testing
