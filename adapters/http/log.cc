#include "adapters/http/log.h"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

#include "adapters/http/json.h"
#include "engine/json.h"

namespace wijkflow::http {
namespace {

// Marks a payload that already holds JSON members ("msg":"...","k":v) rather than text.
constexpr char kMembers = '\x1e';

std::atomic<LogFormat> g_format{LogFormat::kText};

void AppendTime(std::string* out, spdlog::log_clock::time_point tp) {
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(tp.time_since_epoch());
  const std::time_t secs = static_cast<std::time_t>(us.count() / 1'000'000);
  std::tm tm;
  gmtime_r(&secs, &tm);
  char buf[80];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(us.count() % 1'000'000));
  out->append(buf);
}

// Lines to a file descriptor through a buffer: written when it fills, on flush (every second, at
// once for warnings and errors, and at shutdown). A request's log line costs no system call.
class BufferedFdSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit BufferedFdSink(int fd) : fd_(fd) {}
  ~BufferedFdSink() override { flush_(); }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t formatted;
    formatter_->format(msg, formatted);
    buffer_.append(formatted.data(), formatted.size());
    if (buffer_.size() >= kLimit) flush_();
  }
  void flush_() override {
    for (size_t done = 0; done < buffer_.size();) {
      const ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
      if (n <= 0) break;  // nowhere to log to: drop it rather than stall requests
      done += static_cast<size_t>(n);
    }
    buffer_.clear();
  }

 private:
  static constexpr size_t kLimit = 64 << 10;
  const int fd_;
  std::string buffer_;
};

class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    std::string line = "{\"ts\":\"";
    AppendTime(&line, msg.time);
    line += "\",\"level\":\"";
    const auto level = spdlog::level::to_string_view(msg.level);
    line.append(level.data(), level.size());
    line += "\",";
    std::string_view payload(msg.payload.data(), msg.payload.size());
    if (!payload.empty() && payload[0] == kMembers) {
      line.append(payload.substr(1));
    } else {
      line += "\"msg\":";
      engine::AppendJsonString(&line, payload);
    }
    line += "}\n";
    dest.append(line.data(), line.data() + line.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>();
  }
};

}  // namespace

LogField::LogField(std::string_view k, double v) : key(k), quoted(false) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.6g", v);
  value = buf;
}

void ConfigureLogging(spdlog::level::level_enum level, LogFormat format) {
  auto logger = std::make_shared<spdlog::logger>("wijkflow", std::make_shared<BufferedFdSink>(2));
  if (format == LogFormat::kJson) {
    logger->set_formatter(std::make_unique<JsonFormatter>());
  } else {
    logger->set_pattern("[%Y-%m-%dT%H:%M:%S.%fZ] [%l] %v", spdlog::pattern_time_type::utc);
  }
  logger->set_level(level);
  logger->flush_on(spdlog::level::warn);
  g_format = format;
  spdlog::set_default_logger(std::move(logger));
  spdlog::flush_every(std::chrono::seconds(1));
}

bool LogEnabled(spdlog::level::level_enum level) {
  return spdlog::default_logger_raw()->should_log(level);
}

void Log(spdlog::level::level_enum level, std::string_view msg,
         std::initializer_list<LogField> fields) {
  if (!LogEnabled(level)) return;
  std::string line;
  if (g_format.load(std::memory_order_relaxed) == LogFormat::kJson) {
    line.push_back(kMembers);
    line += "\"msg\":";
    engine::AppendJsonString(&line, msg);
    for (const LogField& f : fields) {
      line.push_back(',');
      engine::AppendJsonString(&line, f.key);
      line.push_back(':');
      if (f.quoted) {
        engine::AppendJsonString(&line, f.value);
      } else {
        line += f.value;
      }
    }
  } else {
    line.assign(msg);
    for (const LogField& f : fields) {
      line.push_back(' ');
      line.append(f.key).push_back('=');
      line.append(f.value);
    }
  }
  spdlog::log(level, "{}", line);
}

}  // namespace wijkflow::http
