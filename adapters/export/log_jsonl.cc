#include "adapters/export/log_jsonl.h"

#include <google/protobuf/util/json_util.h>

#include <istream>
#include <ostream>
#include <string>

namespace wijkflow::exporter {
namespace {

constexpr size_t kChunk = 1024;

Micros ToMicros(const google::protobuf::Timestamp& t) {
  return t.seconds() * 1'000'000 + t.nanos() / 1000;
}

// The caller-set part of an envelope: what an append takes.
EventEnvelope AsNewEvent(const EventEnvelope& e) {
  EventEnvelope n = e;
  n.clear_position();
  n.clear_stream_id();
  n.clear_stream_version();
  n.clear_recorded_at();
  n.clear_command_id();
  n.clear_prev_hash();
  n.clear_hash();
  n.clear_prev_global_hash();
  n.clear_global_hash();
  return n;
}

// Appends events[begin, end) (one command's) in one request.
Status AppendGroup(const std::vector<EventEnvelope>& events, size_t begin, size_t end,
                   EventStore* store) {
  AppendRequest req;
  req.command_id = events[begin].command_id();
  for (size_t i = begin; i < end; ++i) {
    const EventEnvelope& e = events[i];
    StreamAppend* sa = nullptr;
    for (auto& s : req.streams) {
      if (s.stream_id == e.stream_id()) sa = &s;
    }
    if (sa == nullptr) {
      const uint64_t before = e.stream_version() - 1;
      req.streams.push_back(
          {e.stream_id(),
           before == 0 ? ExpectedVersion::NoStream() : ExpectedVersion::Exact(before),
           {}});
      sa = &req.streams.back();
    }
    sa->events.push_back(AsNewEvent(e));
  }
  AppendOutcome out = store->Append(std::move(req));
  return out.status;
}

}  // namespace

Status WriteLogJsonl(const EventStore& store, uint64_t from, std::ostream& out) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = false;
  std::vector<EventEnvelope> events;
  for (uint64_t next = from;;) {
    events.clear();
    Status s = store.ReadAll(next, kChunk, &events);
    if (!s.ok()) return s;
    for (const EventEnvelope& e : events) {
      std::string line;
      auto st = google::protobuf::util::MessageToJsonString(e, &line, options);
      if (!st.ok()) return Status::InvalidArgument(std::string(st.message()));
      out << line << '\n';
    }
    if (events.size() < kChunk) break;
    next = events.back().position() + 1;
  }
  return out ? Status::OK() : Status::StorageError("write failed");
}

Status ReadLogJsonl(std::istream& in, std::vector<EventEnvelope>* events) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  std::string line;
  for (size_t n = 1; std::getline(in, line); ++n) {
    if (line.empty()) continue;
    EventEnvelope e;
    auto st = google::protobuf::util::JsonStringToMessage(line, &e, options);
    if (!st.ok()) {
      return Status::InvalidArgument("line " + std::to_string(n) + ": " +
                                     std::string(st.message()));
    }
    events->push_back(std::move(e));
  }
  return Status::OK();
}

Status Import(const std::vector<EventEnvelope>& events, SimulatedClock* clock, EventStore* store) {
  for (size_t begin = 0; begin < events.size();) {
    size_t end = begin + 1;
    while (end < events.size() && !events[begin].command_id().empty() &&
           events[end].command_id() == events[begin].command_id()) {
      ++end;
    }
    clock->AdvanceTo(ToMicros(events[begin].recorded_at()));
    Status s = AppendGroup(events, begin, end, store);
    if (!s.ok()) return s;
    std::vector<EventEnvelope> written;
    s = store->ReadAll(events[begin].position(), end - begin, &written);
    if (!s.ok()) return s;
    for (size_t i = 0; i < written.size(); ++i) {
      const EventEnvelope& want = events[begin + i];
      if (written[i].hash() != want.hash() || written[i].global_hash() != want.global_hash()) {
        return Status::Corruption("event at position " + std::to_string(want.position()) +
                                  " does not reproduce its recorded hash");
      }
    }
    begin = end;
  }
  return Status::OK();
}

}  // namespace wijkflow::exporter
