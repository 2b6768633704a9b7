#include "events/status.h"

namespace wijkflow {

namespace {

const char* CodeName(Status::Code code) {
  switch (code) {
    case Status::Code::kOk:
      return "OK";
    case Status::Code::kWrongExpectedVersion:
      return "WrongExpectedVersion";
    case Status::Code::kDuplicateCommand:
      return "DuplicateCommand";
    case Status::Code::kInvalidArgument:
      return "InvalidArgument";
    case Status::Code::kNotFound:
      return "NotFound";
    case Status::Code::kStorageError:
      return "StorageError";
    case Status::Code::kCorruption:
      return "Corruption";
    case Status::Code::kUnavailable:
      return "Unavailable";
  }
  return "Unknown";
}

}  // namespace

std::string Status::ToString() const {
  std::string out = CodeName(code_);
  if (code_ == Code::kWrongExpectedVersion) {
    out += ": stream '" + stream_ + "' is at version " + std::to_string(actual_version_);
  }
  if (!message_.empty()) {
    out += ": ";
    out += message_;
  }
  return out;
}

}  // namespace wijkflow
