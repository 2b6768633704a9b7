// FaultFileSystem: RocksDB's file system with storage faults switched on and off, for tests that
// run a store on it through StoreOptions::env (rocksdb::NewCompositeEnv(fs)).
#pragma once

#include <rocksdb/file_system.h>

#include <atomic>
#include <memory>
#include <string>

namespace wijkflow::testing {

using rocksdb::IODebugContext;
using rocksdb::IOOptions;
using rocksdb::IOStatus;
using rocksdb::Slice;

// kNoSpace: a full disk, refusing every write; kSyncFails: the bytes reach the file, the sync
// fails.
enum class Fault { kNone, kNoSpace, kSyncFails };

// Every writable file the database opens, with the fault in force applied to it.
class FaultFile : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  FaultFile(std::unique_ptr<rocksdb::FSWritableFile> file, const std::atomic<Fault>* fault)
      : FSWritableFileOwnerWrapper(std::move(file)), fault_(fault) {}

  IOStatus Append(const Slice& data, const IOOptions& o, IODebugContext* d) override {
    if (*fault_ == Fault::kNoSpace) return IOStatus::NoSpace("injected: no space left on device");
    return target()->Append(data, o, d);
  }
  IOStatus Append(const Slice& data, const IOOptions& o, const rocksdb::DataVerificationInfo& v,
                  IODebugContext* d) override {
    if (*fault_ == Fault::kNoSpace) return IOStatus::NoSpace("injected: no space left on device");
    return target()->Append(data, o, v, d);
  }
  IOStatus Flush(const IOOptions& o, IODebugContext* d) override {
    if (*fault_ == Fault::kNoSpace) return IOStatus::NoSpace("injected: no space left on device");
    return target()->Flush(o, d);
  }
  IOStatus Sync(const IOOptions& o, IODebugContext* d) override {
    if (*fault_ != Fault::kNone) return IOStatus::IOError("injected: sync failed");
    return target()->Sync(o, d);
  }
  IOStatus Fsync(const IOOptions& o, IODebugContext* d) override {
    if (*fault_ != Fault::kNone) return IOStatus::IOError("injected: fsync failed");
    return target()->Fsync(o, d);
  }

 private:
  const std::atomic<Fault>* fault_;
};

class FaultFileSystem : public rocksdb::FileSystemWrapper {
 public:
  FaultFileSystem() : FileSystemWrapper(rocksdb::FileSystem::Default()) {}
  const char* Name() const override { return "wijkflow.FaultFileSystem"; }

  void Set(Fault f) { fault_ = f; }

  IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& o,
                           std::unique_ptr<rocksdb::FSWritableFile>* out,
                           IODebugContext* d) override {
    if (fault_ == Fault::kNoSpace) return IOStatus::NoSpace("injected: no space left on device");
    std::unique_ptr<rocksdb::FSWritableFile> file;
    IOStatus s = target()->NewWritableFile(name, o, &file, d);
    if (s.ok()) *out = std::make_unique<FaultFile>(std::move(file), &fault_);
    return s;
  }

 private:
  std::atomic<Fault> fault_{Fault::kNone};
};

}  // namespace wijkflow::testing
