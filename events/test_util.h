// Helpers for the event store's tests: requests, options and a store opened in a TempDir.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "events/event_store.h"

namespace wijkflow::testing {

// Scales the size of stress tests; the sanitizer build runs them at WIJKFLOW_TEST_SCALE=0.2.
inline double TestScale() {
  const char* s = std::getenv("WIJKFLOW_TEST_SCALE");
  const double scale = s != nullptr ? std::atof(s) : 1.0;
  return scale > 0 ? scale : 1.0;
}

inline size_t Scaled(size_t n) { return std::max<size_t>(1, static_cast<size_t>(n * TestScale())); }

inline EventEnvelope MakeEvent(const std::string& type, const std::string& payload = "payload") {
  EventEnvelope e;
  e.set_workflow("initiatives");
  e.set_definition_version(1);
  e.set_event_type(type);
  e.set_schema_version(1);
  e.set_payload(payload);
  e.mutable_actor()->set_id("wm-feijenoord-1");
  e.mutable_actor()->set_role("district-manager");
  return e;
}

inline StreamAppend Events(const std::string& stream_id, ExpectedVersion expected, int count,
                           const std::string& payload = "payload") {
  StreamAppend s{stream_id, expected, {}};
  for (int i = 0; i < count; ++i) s.events.push_back(MakeEvent("test.Event", payload));
  return s;
}

inline AppendRequest OneEvent(const std::string& stream_id,
                              ExpectedVersion expected = ExpectedVersion::Any(),
                              const std::string& command_id = "",
                              const std::string& payload = "payload") {
  AppendRequest r;
  r.command_id = command_id;
  r.streams.push_back(Events(stream_id, expected, 1, payload));
  return r;
}

inline std::unique_ptr<EventStore> OpenStore(const std::string& dir, StoreOptions options = {}) {
  std::unique_ptr<EventStore> store;
  Status s = EventStore::Open(options, dir, &store);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return store;
}

// The whole log, read in chunks.
inline std::vector<EventEnvelope> ReadWholeLog(const EventStore& store) {
  std::vector<EventEnvelope> all, chunk;
  for (;;) {
    Status s = store.ReadAll(all.size() + 1, 1000, &chunk);
    EXPECT_TRUE(s.ok()) << s.ToString();
    if (!s.ok() || chunk.empty()) return all;
    for (auto& e : chunk) all.push_back(std::move(e));
  }
}

}  // namespace wijkflow::testing
