// RawDb: a store's database opened directly, as someone with access to the disk could, to change
// its bytes behind the store's back in tests of tamper evidence and corruption.
#pragma once

#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <map>
#include <string>
#include <vector>

namespace wijkflow::testing {

class RawDb {
 public:
  explicit RawDb(const std::string& dir) {
    std::vector<std::string> names;
    EXPECT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir, &names).ok());
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    for (const auto& n : names) families.emplace_back(n, rocksdb::ColumnFamilyOptions());
    rocksdb::Status s = rocksdb::DB::Open(rocksdb::DBOptions(), dir, families, &handles_, &db_);
    EXPECT_TRUE(s.ok()) << s.ToString();
    for (size_t i = 0; i < names.size(); ++i) by_name_[names[i]] = handles_[i];
  }
  ~RawDb() {
    for (auto* h : handles_) EXPECT_TRUE(db_->DestroyColumnFamilyHandle(h).ok());
    EXPECT_TRUE(db_->Close().ok());
    delete db_;
  }

  std::string Get(const std::string& family, const std::string& key) {
    std::string value;
    EXPECT_TRUE(db_->Get(rocksdb::ReadOptions(), by_name_.at(family), key, &value).ok());
    return value;
  }
  void Put(const std::string& family, const std::string& key, const std::string& value) {
    EXPECT_TRUE(db_->Put(rocksdb::WriteOptions(), by_name_.at(family), key, value).ok());
  }
  void Delete(const std::string& family, const std::string& key) {
    EXPECT_TRUE(db_->Delete(rocksdb::WriteOptions(), by_name_.at(family), key).ok());
  }

 private:
  rocksdb::DB* db_ = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::map<std::string, rocksdb::ColumnFamilyHandle*> by_name_;
};

}  // namespace wijkflow::testing
