// Status: the outcome of an event-store operation, as a value. Cheap when OK.
#pragma once

#include <cstdint>
#include <string>
#include <utility>

namespace wijkflow {

class [[nodiscard]] Status {
 public:
  enum class Code {
    kOk = 0,
    kWrongExpectedVersion,  // stream() and actual_version() tell what was found
    kDuplicateCommand,      // the command id was seen before; nothing was written
    kInvalidArgument,
    kNotFound,
    kStorageError,  // RocksDB I/O failure, full disk, ...: retry later
    kCorruption,    // stored bytes do not decode or do not match their hash
    kUnavailable,   // the store is closing
  };

  Status() = default;
  static Status OK() { return Status(); }
  static Status WrongExpectedVersion(std::string stream, uint64_t actual, std::string msg) {
    Status s(Code::kWrongExpectedVersion, std::move(msg));
    s.stream_ = std::move(stream);
    s.actual_version_ = actual;
    return s;
  }
  static Status DuplicateCommand(std::string msg) {
    return Status(Code::kDuplicateCommand, std::move(msg));
  }
  static Status InvalidArgument(std::string msg) {
    return Status(Code::kInvalidArgument, std::move(msg));
  }
  static Status NotFound(std::string msg) { return Status(Code::kNotFound, std::move(msg)); }
  static Status StorageError(std::string msg) {
    return Status(Code::kStorageError, std::move(msg));
  }
  static Status Corruption(std::string msg) { return Status(Code::kCorruption, std::move(msg)); }
  static Status Unavailable(std::string msg) { return Status(Code::kUnavailable, std::move(msg)); }

  bool ok() const { return code_ == Code::kOk; }
  bool IsWrongExpectedVersion() const { return code_ == Code::kWrongExpectedVersion; }
  bool IsDuplicateCommand() const { return code_ == Code::kDuplicateCommand; }
  bool IsInvalidArgument() const { return code_ == Code::kInvalidArgument; }
  bool IsNotFound() const { return code_ == Code::kNotFound; }
  bool IsStorageError() const { return code_ == Code::kStorageError; }
  bool IsCorruption() const { return code_ == Code::kCorruption; }
  bool IsUnavailable() const { return code_ == Code::kUnavailable; }

  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  // Only for kWrongExpectedVersion: the stream that conflicted and its version on disk.
  const std::string& stream() const { return stream_; }
  uint64_t actual_version() const { return actual_version_; }

  std::string ToString() const;

 private:
  Status(Code code, std::string msg) : code_(code), message_(std::move(msg)) {}

  Code code_ = Code::kOk;
  std::string message_;
  std::string stream_;
  uint64_t actual_version_ = 0;
};

}  // namespace wijkflow
