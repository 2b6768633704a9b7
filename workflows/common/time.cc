#include "workflows/common/time.h"

#include <google/protobuf/util/time_util.h>

#include <chrono>

namespace wijkflow::workflows {

using google::protobuf::util::TimeUtil;

Micros ToMicros(const google::protobuf::Timestamp& t) {
  return TimeUtil::TimestampToMicroseconds(t);
}

google::protobuf::Timestamp ToTimestamp(Micros t) { return TimeUtil::MicrosecondsToTimestamp(t); }

Micros DateMicros(int year, unsigned month, unsigned day) {
  using namespace std::chrono;
  sys_days d =
      year_month_day{std::chrono::year(year), std::chrono::month(month), std::chrono::day(day)};
  return duration_cast<microseconds>(d.time_since_epoch()).count();
}

Micros StartOfDay(Micros t) {
  Micros r = t % kDay;
  if (r < 0) r += kDay;
  return t - r;
}

std::string FormatTime(Micros t) { return TimeUtil::ToString(ToTimestamp(t)); }

std::string FormatEuros(int64_t cents) {
  uint64_t c = cents < 0 ? -static_cast<uint64_t>(cents) : static_cast<uint64_t>(cents);
  const std::string digits = std::to_string(c / 100);
  std::string out = cents < 0 ? "-\u20ac" : "\u20ac";
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  out.push_back('.');
  out.push_back(static_cast<char>('0' + c % 100 / 10));
  out.push_back(static_cast<char>('0' + c % 10));
  return out;
}

}  // namespace wijkflow::workflows
