// GET /v1/events: the global log. As JSON, one page from ?from= (position, default 1). With
// "Accept: text/event-stream", live Server-Sent Events: every event from ?from= (or after the
// position in Last-Event-ID, for a client that reconnects) in position order, without gap or
// duplicate, then each new event as it is committed. ?workflow= keeps one workflow's events.
//
// An SSE frame:   id: <position>\nevent: <event type>\ndata: <envelope JSON>\n\n
#include <mutex>

#include "adapters/http/handlers.h"
#include "adapters/http/json.h"

namespace wijkflow::http {
namespace {

std::string Frame(const EventEnvelope& e) {
  JsonWriter w;
  WriteEnvelope(w, e);
  std::string f = "id: " + std::to_string(e.position()) + "\nevent: " + e.event_type() +
                  "\ndata: " + w.Take() + "\n\n";
  return f;
}

class LogStream final : public StreamSource {
 public:
  LogStream(EventStore* store, uint64_t from, std::string workflow)
      : store_(store), from_(from), workflow_(std::move(workflow)) {}
  ~LogStream() override { Stop(); }

  void Start(std::shared_ptr<StreamSink> sink) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopped_) return;
    // Reconnecting clients wait 2 s; sent first, so that it holds for this stream too.
    if (!sink->Write("retry: 2000\n\n")) return;
    subscription_ = store_->Subscribe(from_, [this, sink](const EventEnvelope& e) {
      if (!workflow_.empty() && e.workflow() != workflow_) return true;
      return sink->Write(Frame(e));
    });
  }

  void Stop() override {
    std::unique_ptr<Subscription> sub;
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopped_ = true;
      sub = std::move(subscription_);
    }
    if (sub) sub->Stop();
  }

 private:
  EventStore* store_;
  const uint64_t from_;
  const std::string workflow_;
  std::mutex mu_;
  bool stopped_ = false;
  std::unique_ptr<Subscription> subscription_;
};

bool WantsEventStream(const Request& req) {
  return req.Header("accept").find("text/event-stream") != std::string_view::npos;
}

}  // namespace

Response GetLog(Ctx& ctx, Call& call) {
  Response error;
  uint64_t from = 1, limit = 1000;
  if (!QueryUint(call, "from", 1, UINT64_MAX, &from, &error) ||
      !QueryUint(call, "limit", 1000, ctx.options.max_page, &limit, &error)) {
    return error;
  }
  from = std::max<uint64_t>(from, 1);
  const std::string workflow(call.req.Query("workflow"));
  if (!workflow.empty() && ctx.registry.Find(workflow) == nullptr) {
    return call.Fail(404, "not-found", "no workflow '" + workflow + "'");
  }
  if (WantsEventStream(call.req)) {
    if (auto last = call.req.Header("last-event-id"); !last.empty()) {
      uint64_t id = 0;
      for (char c : last) {
        if (c < '0' || c > '9' || id > UINT64_MAX / 10 - 1) {
          return call.Fail(Problem(400, "invalid-argument", "Last-Event-ID must be a position")
                               .With("field", "Last-Event-ID"));
        }
        id = id * 10 + static_cast<uint64_t>(c - '0');
      }
      from = id + 1;
    }
    Response r;
    r.SetHeader("content-type", "text/event-stream");
    r.SetHeader("cache-control", "no-cache");
    r.SetHeader("x-accel-buffering", "no");
    r.stream = std::make_shared<LogStream>(&ctx.store, from, workflow);
    return r;
  }
  std::vector<EventEnvelope> events;
  Status s = ctx.store.ReadAll(from, limit, &events);
  if (!s.ok()) return call.Fail(503, "unavailable", s.ToString());
  JsonWriter w;
  w.BeginObject().Key("events").BeginArray();
  for (const auto& e : events) {
    if (workflow.empty() || e.workflow() == workflow) WriteEnvelope(w, e);
  }
  w.EndArray();
  w.Field("next", events.empty() ? from : events.back().position() + 1);
  w.Field("lastPosition", ctx.store.LastPosition()).EndObject();
  return JsonResponse(200, w.Take());
}

}  // namespace wijkflow::http
