// Structured logs over spdlog: one line per event, either as JSON
//   {"ts":"2024-03-01T10:00:00.123456Z","level":"info","msg":"request","requestId":"...",...}
// or as text ("[ts] [info] request requestId=... status=201"). Messages logged through spdlog
// directly (by other modules) come out in the same format, with their text as "msg".
#pragma once

#include <spdlog/common.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace wijkflow::http {

enum class LogFormat { kText, kJson };

// Configures spdlog's default logger: to stderr, at `level`, in `format`. Call once at start-up.
void ConfigureLogging(spdlog::level::level_enum level, LogFormat format);

// One key and its value, for Log.
struct LogField {
  LogField(std::string_view k, std::string_view v) : key(k), value(v), quoted(true) {}
  LogField(std::string_view k, const std::string& v) : key(k), value(v), quoted(true) {}
  LogField(std::string_view k, const char* v) : key(k), value(v), quoted(true) {}
  LogField(std::string_view k, int64_t v) : key(k), value(std::to_string(v)), quoted(false) {}
  LogField(std::string_view k, uint64_t v) : key(k), value(std::to_string(v)), quoted(false) {}
  LogField(std::string_view k, int v) : key(k), value(std::to_string(v)), quoted(false) {}
  LogField(std::string_view k, double v);
  std::string_view key;
  std::string value;
  bool quoted;
};

void Log(spdlog::level::level_enum level, std::string_view msg,
         std::initializer_list<LogField> fields = {});

// Whether a line at `level` would be written (to skip building one that would not).
bool LogEnabled(spdlog::level::level_enum level);

}  // namespace wijkflow::http
