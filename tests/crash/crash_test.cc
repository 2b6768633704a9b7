// Crash harness: wijkflowd runs under mixed load (submissions, reviews, grants that append to an
// initiative and reserve on its round atomically, and a clock advance that fires round timers)
// and is killed with SIGKILL at a random moment. After each kill the store is opened and checked:
//   - the hash chains verify;
//   - every acknowledged command is in the log, once, as one append; a refused one is not;
//   - every grant in the log wrote both of its streams (no partial multi-stream append);
//   - projections caught up from their checkpoints equal a rebuild from the log;
//   - no round timer fired twice, and one that has not fired is still scheduled.
// The server then restarts on the same data for the next trial. A last clean run fires every
// timer left over and checks that each fired exactly once.
//
// WIJKFLOW_CRASH_TRIALS sets the number of trials (default 3); WIJKFLOW_CRASH_SEED replays a run
// (the seed is printed).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "adapters/http/client.h"
#include "adapters/http/json.h"
#include "engine/projection_runner.h"
#include "engine/registry.h"
#include "events/event_store.h"
#include "tests/testing/temp_dir.h"
#include "workflows/register_all.h"

namespace wijkflow::crash {
namespace {

using http::ClientResponse;
using http::HttpClient;
using Headers = std::vector<std::pair<std::string, std::string>>;

constexpr Micros kDay = int64_t{86'400} * 1'000'000;
constexpr Micros kHour = int64_t{3'600} * 1'000'000;
constexpr int kClients = 4;
constexpr int64_t kGrantCents = 100'000;
constexpr int64_t kCeilingCents = 10 * kGrantCents;  // ten grants fit a round; the rest get 422

int EnvInt(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::atoi(v) : fallback;
}

Micros Base() { return *http::ParseTime("2024-01-01T09:00:00Z"); }
// Each trial's server starts its simulated clock a month after the previous one's.
Micros TrialStart(int trial) { return Base() + trial * 30 * kDay; }
std::string Round(int trial) { return absl::StrCat("r", trial); }
// A round whose opening timer the load fires while the server may be killed.
std::string LateRound(int trial) { return "late" + std::to_string(trial); }

// A wijkflowd process on `data`, with a simulated clock starting at `clock_start`.
class Server {
 public:
  ~Server() {
    if (pid_ > 0) Kill();
  }

  ::testing::AssertionResult Start(const std::string& data, Micros clock_start) {
    int out[2];
    if (pipe(out) != 0) return ::testing::AssertionFailure() << "pipe failed";
    const std::string start = http::FormatTime(clock_start);
    pid_ = fork();
    if (pid_ < 0) return ::testing::AssertionFailure() << "fork failed";
    if (pid_ == 0) {
      dup2(out[1], 1);
      close(out[0]);
      execl(WIJKFLOWD_PATH, "wijkflowd", "--data", data.c_str(), "--port", "0", "--clock",
            "simulated", "--clock-start", start.c_str(), "--log-level", "error",
            static_cast<char*>(nullptr));
      _exit(127);
    }
    close(out[1]);
    // "wijkflowd: listening on http://127.0.0.1:PORT (...)"
    std::string text;
    char buf[256];
    const std::string marker = "listening on http://127.0.0.1:";
    while (port_ == 0) {
      ssize_t n = read(out[0], buf, sizeof(buf));
      if (n <= 0) {
        close(out[0]);
        return ::testing::AssertionFailure() << "wijkflowd did not start: " << text;
      }
      text.append(buf, static_cast<size_t>(n));
      size_t at = text.find(marker);
      if (at != std::string::npos && text.find(' ', at + marker.size()) != std::string::npos) {
        port_ = static_cast<uint16_t>(std::stoi(text.substr(at + marker.size())));
      }
    }
    close(out[0]);
    std::ifstream(data + "/tokens.admin") >> admin_;
    if (admin_.empty()) return ::testing::AssertionFailure() << "no admin token";
    return ::testing::AssertionSuccess();
  }

  void Kill() {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
    port_ = 0;
  }

  // SIGTERM; returns the exit status (-1 if it did not exit normally).
  int Stop() {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    port_ = 0;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  uint16_t port() const { return port_; }
  const std::string& admin() const { return admin_; }

 private:
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  std::string admin_;
};

// What the load saw. Keys are idempotency keys; the store records them as "admin/<key>".
struct Ledger {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::string> acked;
  std::vector<std::string> refused;     // 409 or 422: must have written nothing
  std::vector<std::string> unexpected;  // any other answer
  bool advance_acked = false;
  int running = 0;  // load clients still sending

  // Records the answer to `key`; false if it was none of the expected ones.
  bool Add(const std::string& key, const ClientResponse& r) {
    std::lock_guard<std::mutex> lock(mu);
    if (r.status == 200 || r.status == 201) {
      acked.push_back(key);
      cv.notify_all();
    } else if (r.status == 409 || r.status == 422) {
      refused.push_back(key);
    } else {
      unexpected.push_back(key + ": " + std::to_string(r.status) + " " + r.body);
      return false;
    }
    return true;
  }
  void Exit() {
    std::lock_guard<std::mutex> lock(mu);
    --running;
    cv.notify_all();
  }
  // Until `n` acknowledgements, or every client has stopped (then the checks tell why).
  void WaitForAcks(size_t n) {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return acked.size() >= n || running == 0; });
  }
};

// Sends `command` on workflow/id as the admin acting in `role`; false if the connection broke or
// the answer was unexpected.
bool Post(HttpClient& c, const Server& s, const std::string& workflow, const std::string& id,
          const std::string& command, const std::string& role, const std::string& body,
          const std::string& key, Ledger* ledger) {
  ClientResponse r;
  if (!c.Post("/v1/" + workflow + "/" + id + "/commands/" + command, s.admin(), body, &r,
              {{"Idempotency-Key", key}, {"X-Actor-Role", role}})) {
    return false;
  }
  return ledger->Add(key, r);
}

std::string RoundBody(Micros start) {
  return R"({"district":"feijenoord","ceilingCents":")" + std::to_string(kCeilingCents) +
         R"(","maxPerRequestCents":"1000000","distribution":"DISTRIBUTION_FIRST_COME",)"
         R"("period":{"start":")" +
         http::FormatTime(start) + R"(","end":")" + http::FormatTime(start + 60 * kDay) + "\"}}";
}

::testing::AssertionResult AdvanceClock(HttpClient& c, const Server& s, Micros to) {
  ClientResponse r;
  if (!c.Post("/v1/admin/clock", s.admin(), R"({"advanceTo":")" + http::FormatTime(to) + "\"}",
              &r)) {
    return ::testing::AssertionFailure() << "clock advance: " << c.error();
  }
  if (r.status != 200) return ::testing::AssertionFailure() << r.status << " " << r.body;
  return ::testing::AssertionSuccess();
}

// Before the load: two rounds set and published; the first opened by its timer. Every set-up
// command must succeed, so a failure shows the server's answer.
void SetUpTrial(const Server& s, int trial, Ledger* setup) {
  auto c = HttpClient::Connect("127.0.0.1", s.port());
  ASSERT_TRUE(c);
  const Micros t = TrialStart(trial);
  const std::string tag = "t" + std::to_string(trial) + "-";
  auto post = [&](const std::string& id, const std::string& command, const std::string& body,
                  const std::string& key) {
    ClientResponse r;
    if (!c->Post("/v1/subsidy-rounds/" + id + "/commands/" + command, s.admin(), body, &r,
                 {{"Idempotency-Key", key}, {"X-Actor-Role", "executive"}})) {
      return ::testing::AssertionFailure() << command << " " << id << ": " << c->error();
    }
    setup->Add(key, r);
    if (r.status != 200 && r.status != 201) {
      return ::testing::AssertionFailure()
             << command << " " << id << ": " << r.status << " " << r.body;
    }
    return ::testing::AssertionSuccess();
  };
  for (const auto& [id, start] :
       {std::pair{Round(trial), t + kDay}, std::pair{LateRound(trial), t + 2 * kDay}}) {
    ASSERT_TRUE(post(id, "SetRound", RoundBody(start), tag + "set-" + id));
    ASSERT_TRUE(post(id, "PublishRound", R"({"publicationRef":"Gemeenteblad )" + id + "\"}",
                     tag + "pub-" + id));
  }
  ASSERT_TRUE(AdvanceClock(*c, s, t + kDay + kHour));
}

// One client: submits, reviews and grants initiatives until the connection breaks. Client 0
// also advances the clock past the late round's opening, once.
void RunClient(const Server& s, int trial, int client, Ledger* ledger) {
  struct OnExit {
    Ledger* l;
    ~OnExit() { l->Exit(); }
  } on_exit{ledger};
  auto c = HttpClient::Connect("127.0.0.1", s.port());
  if (!c) return;
  for (int n = 0;; ++n) {
    if (client == 0 && n == 2) {
      ClientResponse r;
      const Micros to = TrialStart(trial) + 2 * kDay + kHour;
      if (!c->Post("/v1/admin/clock", s.admin(), R"({"advanceTo":")" + http::FormatTime(to) + "\"}",
                   &r)) {
        return;
      }
      std::lock_guard<std::mutex> lock(ledger->mu);
      ledger->advance_acked = r.status == 200;
    }
    const std::string id = absl::StrCat("i", trial, "-", client, "-", n);
    const std::string submit = R"({"district":"feijenoord","roundId":")" + Round(trial) +
                               R"(","title":"Buurtfeest","description":"Een feest voor de straat",)"
                               R"("requestedCents":"150000","channel":"CHANNEL_DIGITAL",)"
                               R"("applicant":{"id":"res-)" +
                               id + R"(","name":"Bewoner","email":"bewoner@example.org"}})";
    const std::string grant =
        R"({"amountCents":")" + std::to_string(kGrantCents) + R"(","reasons":"fits the round"})";
    if (!Post(*c, s, "initiatives", id, "Submit", "intake", submit, "s-" + id, ledger) ||
        !Post(*c, s, "initiatives", id, "StartReview", "district-manager", "{}", "v-" + id,
              ledger) ||
        !Post(*c, s, "initiatives", id, "Grant", "district-council", grant, "g-" + id, ledger)) {
      return;
    }
  }
}

std::string ShortType(const std::string& full) {
  const size_t dot = full.rfind('.');
  return dot == std::string::npos ? full : full.substr(dot + 1);
}

using Model = std::map<std::string, std::map<std::string, std::string>>;

Model DumpProjections(const engine::WorkflowRegistry& registry,
                      const engine::ProjectionRunner& runner) {
  Model m;
  for (const auto& p : registry.projections()) {
    auto& rows = m[std::string(p->Name())];
    Status s = runner.Scan(p->Name(), "", "", [&](const std::string& k, const std::string& v) {
      rows[k] = v;
      return true;
    });
    EXPECT_TRUE(s.ok()) << p->Name() << ": " << s.ToString();
  }
  return m;
}

// The checks after a kill (or the final stop). `trials` trials have run; `all_fired`: every round
// timer has fallen due and the server stopped cleanly, so each must have fired exactly once.
void CheckStore(const std::string& data, int trials, const Ledger& ledger, bool advance_acked,
                bool all_fired) {
  std::unique_ptr<EventStore> store;
  Status st = EventStore::Open({}, data, &store);  // wijkflowd keeps its store in `data` itself
  ASSERT_TRUE(st.ok()) << st.ToString();

  const VerifyReport report = store->Verify();
  ASSERT_TRUE(report.ok) << "chain broken at " << report.stream_id << "@" << report.stream_version
                         << " (position " << report.position << "): " << report.reason;

  // The whole log, by command and by stream.
  struct Append {
    std::vector<uint64_t> positions;
    std::set<std::string> streams;
  };
  std::map<std::string, Append> by_command;
  std::map<std::string, std::map<std::string, int>> types_by_stream;
  uint64_t expect_position = 1;
  for (;;) {
    std::vector<EventEnvelope> chunk;
    st = store->ReadAll(expect_position, 4096, &chunk);
    ASSERT_TRUE(st.ok()) << st.ToString();
    if (chunk.empty()) break;
    for (const EventEnvelope& e : chunk) {
      ASSERT_EQ(e.position(), expect_position) << "a gap in the global log";
      ++expect_position;
      Append& a = by_command[e.command_id()];
      a.positions.push_back(e.position());
      a.streams.insert(e.stream_id());
      types_by_stream[e.stream_id()][ShortType(e.event_type())]++;
    }
  }
  EXPECT_EQ(expect_position - 1, store->LastPosition());

  for (const auto& [command, a] : by_command) {
    // One command, one append: its events sit at consecutive positions.
    EXPECT_EQ(a.positions.back() - a.positions.front() + 1, a.positions.size())
        << command << " was appended more than once";
    if (command.rfind("admin/g-", 0) == 0) {
      const std::string id = command.substr(8);
      EXPECT_EQ(a.streams.size(), 2u) << command << ": a grant wrote only part of its streams";
      EXPECT_TRUE(a.streams.count("initiatives/" + id)) << command;
    }
  }
  for (const std::string& key : ledger.acked) {
    AppendReceipt receipt;
    EXPECT_TRUE(store->FindCommand("admin/" + key, &receipt).ok()) << "acknowledged " << key;
    EXPECT_TRUE(by_command.count("admin/" + key)) << "acknowledged " << key << " not in the log";
  }
  for (const std::string& key : ledger.refused) {
    AppendReceipt receipt;
    EXPECT_TRUE(store->FindCommand("admin/" + key, &receipt).IsNotFound()) << "refused " << key;
    EXPECT_FALSE(by_command.count("admin/" + key)) << "refused " << key << " wrote events";
  }
  EXPECT_TRUE(ledger.unexpected.empty()) << ::testing::PrintToString(ledger.unexpected);

  // Timers: none fired twice; one not yet fired is still scheduled.
  for (int t = 0; t < trials; ++t) {
    for (const std::string& round : {Round(t), LateRound(t)}) {
      const std::string stream = "subsidy-rounds/" + round;
      const int opened = types_by_stream[stream]["RoundOpened"];
      EXPECT_LE(opened, 1) << stream << " opened twice";
      EXPECT_LE(types_by_stream[stream]["RoundClosed"], 1) << stream << " closed twice";
      // A later trial's set-up advanced the clock past every earlier round's opening.
      if (all_fired || round == Round(t) || t < trials - 1 || advance_acked) {
        EXPECT_EQ(opened, 1) << stream << ": its opening timer was lost";
      }
      if (opened == 0) {
        bool scheduled = false;
        const std::string prefix = "i" + stream + std::string(1, '\0');
        st = store->Scan(Space::kTimers, prefix, "i" + stream + std::string(1, '\x01'),
                         [&](const std::string&, const std::string&) {
                           scheduled = true;
                           return false;
                         });
        ASSERT_TRUE(st.ok()) << st.ToString();
        EXPECT_TRUE(scheduled) << stream << " neither opened nor scheduled to open";
      }
    }
  }

  // Projections: what the checkpoints say was applied, plus a catch-up, equals a rebuild.
  engine::WorkflowRegistry registry;
  workflows::RegisterAll(registry);
  engine::ProjectionRunner runner(store.get(), &registry);
  st = runner.CatchUp();
  ASSERT_TRUE(st.ok()) << st.ToString();
  for (const auto& p : registry.projections()) {
    EXPECT_EQ(runner.Checkpoint(p->Name()), store->LastPosition()) << p->Name();
  }
  const Model live = DumpProjections(registry, runner);
  for (const auto& p : registry.projections()) {
    st = runner.Rebuild(p->Name());
    ASSERT_TRUE(st.ok()) << p->Name() << ": " << st.ToString();
  }
  const Model rebuilt = DumpProjections(registry, runner);
  for (const auto& [name, rows] : rebuilt) {
    EXPECT_TRUE(live.at(name) == rows) << "projection " << name << " differs from its rebuild";
  }
}

TEST(CrashTest, SigkillUnderLoadKeepsEveryPromise) {
  const int trials = std::max(1, EnvInt("WIJKFLOW_CRASH_TRIALS", 3));
  const uint32_t seed = static_cast<uint32_t>(
      EnvInt("WIJKFLOW_CRASH_SEED", static_cast<int>(std::random_device{}())));
  std::printf("crash harness: %d trials, WIJKFLOW_CRASH_SEED=%u\n", trials, seed);
  std::mt19937 random(seed);
  testing::TempDir dir;
  const std::string data = dir.Sub("data");

  Ledger all;  // everything acknowledged or refused over all trials
  size_t total_acked = 0;
  for (int t = 0; t < trials; ++t) {
    SCOPED_TRACE("trial " + std::to_string(t));
    Server server;
    ASSERT_TRUE(server.Start(data, TrialStart(t)));
    Ledger setup;
    SetUpTrial(server, t, &setup);
    if (::testing::Test::HasFatalFailure()) return;

    Ledger ledger;
    ledger.running = kClients;
    std::vector<std::thread> clients;
    for (int c = 0; c < kClients; ++c) {
      clients.emplace_back(RunClient, std::cref(server), t, c, &ledger);
    }
    // The moment of the kill: after a random number of acknowledgements, plus a random pause so
    // that it falls anywhere in a request's way through, not only just after an answer.
    ledger.WaitForAcks(std::uniform_int_distribution<size_t>(3, 120)(random));
    std::this_thread::sleep_for(
        std::chrono::microseconds(std::uniform_int_distribution<int>(0, 20'000)(random)));
    server.Kill();
    for (auto& c : clients) c.join();
    total_acked += ledger.acked.size();
    std::printf("trial %d: killed after %zu acknowledged, %zu refused\n", t, ledger.acked.size(),
                ledger.refused.size());

    for (auto* l : {&setup, &ledger}) {
      all.acked.insert(all.acked.end(), l->acked.begin(), l->acked.end());
      all.refused.insert(all.refused.end(), l->refused.begin(), l->refused.end());
      all.unexpected.insert(all.unexpected.end(), l->unexpected.begin(), l->unexpected.end());
    }
    CheckStore(data, t + 1, all, ledger.advance_acked, /*all_fired=*/false);
    if (::testing::Test::HasFatalFailure()) return;
  }

  // A last run fires every timer left over, then stops cleanly.
  Server server;
  ASSERT_TRUE(server.Start(data, TrialStart(trials)));
  {
    auto c = HttpClient::Connect("127.0.0.1", server.port());
    ASSERT_TRUE(c);
    ASSERT_TRUE(AdvanceClock(*c, server, TrialStart(trials) + kHour));
  }
  EXPECT_EQ(server.Stop(), 0);
  CheckStore(data, trials, all, false, /*all_fired=*/true);
  std::printf("crash harness: %d kills, %zu commands acknowledged under load, all checks run\n",
              trials, total_acked);
}

}  // namespace
}  // namespace wijkflow::crash
