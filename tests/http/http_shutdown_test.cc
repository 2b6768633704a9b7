// Graceful shutdown under load: every command the server acknowledged is in the store
// afterwards; in-process (Service::Stop) and as a process (SIGTERM to wijkflowd, exit 0).
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <mutex>
#include <thread>

#include "tests/http/http_fixture.h"

namespace wijkflow::http::testing {
namespace {

// Clients posting commands until the server goes away; each remembers what was acknowledged.
class Load {
 public:
  // `post(client, n)` sends the n-th command of a client and returns the id it acknowledged
  // ("" if not).
  using Post = std::function<std::string(HttpClient&, int client, int n)>;

  Load(uint16_t port, int clients, Post post) {
    for (int c = 0; c < clients; ++c) {
      threads_.emplace_back([this, port, c, post] {
        auto client = HttpClient::Connect("127.0.0.1", port);
        for (int n = 0; client; ++n) {
          std::string acked = post(*client, c, n);
          if (acked.empty()) break;  // refused or cut off: the server is going away
          std::lock_guard<std::mutex> lock(mu_);
          acked_.push_back(acked);
          cv_.notify_all();
        }
      });
    }
  }
  ~Load() { Join(); }

  void WaitForAcks(size_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return acked_.size() >= n; });
  }
  std::vector<std::string> Join() {
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
    return acked_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> acked_;
  std::vector<std::thread> threads_;
};

std::string PostOpen(HttpClient& c, int client, int n) {
  const std::string id = "c" + std::to_string(client) + "-" + std::to_string(n);
  ClientResponse r;
  if (!c.Post("/v1/toggles/" + id + "/commands/Open", kDesk, R"({"district":"feijenoord"})", &r,
              {{"Idempotency-Key", id}})) {
    return "";
  }
  return r.status == 201 ? id : "";
}

using ShutdownTest = HttpTest;

TEST_F(ShutdownTest, StopDuringLoadLosesNoAcknowledgedCommand) {
  Load load(port_, 16, PostOpen);
  load.WaitForAcks(300);
  EXPECT_TRUE(service_->Stop()) << "connections outlived the shutdown";
  const std::vector<std::string> acked = load.Join();
  ASSERT_GE(acked.size(), 300u);

  std::unique_ptr<EventStore> store;
  ASSERT_TRUE(EventStore::Open({}, dir_.Sub("data"), &store).ok());
  for (const std::string& id : acked) {
    StreamHead head;
    ASSERT_TRUE(store->Head("toggles/" + id, &head).ok()) << id;
    EXPECT_EQ(head.version, 1u) << id;
    AppendReceipt receipt;
    EXPECT_TRUE(store->FindCommand("intake-desk/" + id, &receipt).ok()) << id;
  }
  EXPECT_TRUE(store->Verify().ok);
}

// wijkflowd as a process: SIGTERM during load, exit status 0, nothing acknowledged lost.
TEST(WijkflowdProcessTest, SigtermDuringLoadExitsZeroAndLosesNothing) {
  wijkflow::testing::TempDir dir;
  int out[2];
  ASSERT_EQ(pipe(out), 0);
  const std::string data = dir.Sub("data");
  const std::string config = dir.Sub("wijkflowd.toml");
  const std::string log = dir.Sub("wijkflowd.log");
  // Options from a config file; the data directory from a flag.
  std::ofstream(config) << "port = 0\nclock = \"simulated\"\nclock-start = "
                           "\"2023-06-01T09:00:00Z\"\nlog-level = \"info\"\n"
                           "log-format = \"json\"\n";
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    dup2(out[1], 1);
    const int err = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(err, 2);
    close(out[0]);
    execl(WIJKFLOWD_PATH, "wijkflowd", "--config", config.c_str(), "--data", data.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  close(out[1]);
  // "wijkflowd: listening on http://127.0.0.1:PORT (...)"
  std::string text;
  char buf[256];
  uint16_t port = 0;
  while (port == 0) {
    ssize_t n = read(out[0], buf, sizeof(buf));
    ASSERT_GT(n, 0) << "wijkflowd did not start: " << text;
    text.append(buf, static_cast<size_t>(n));
    size_t at = text.find("listening on http://127.0.0.1:");
    if (at != std::string::npos && text.find(' ', at + 30) != std::string::npos) {
      port = static_cast<uint16_t>(std::stoi(text.substr(at + 30)));
    }
  }
  std::string admin;
  std::ifstream(data + "/tokens.admin") >> admin;
  ASSERT_FALSE(admin.empty());

  // Mandate registers, one per district: the council grants mandates.
  auto grant = [&](HttpClient& c, int client, int n) -> std::string {
    const std::string district = "wijk-" + std::to_string(client);
    const std::string key = district + "-" + std::to_string(n);
    ClientResponse r;
    if (!c.Post("/v1/mandates/" + district + "/commands/GrantMandate", admin,
                R"({"district":")" + district + R"(","grantee":"wm-)" + std::to_string(n) + "\"}",
                &r, {{"Idempotency-Key", key}, {"X-Actor-Role", "district-council"}})) {
      return "";
    }
    return r.status == 200 || r.status == 201 ? key : "";
  };
  std::vector<std::string> acked;
  {
    Load load(port, 8, grant);
    load.WaitForAcks(100);
    ASSERT_EQ(kill(pid, SIGTERM), 0);
    acked = load.Join();
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  close(out[0]);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);

  std::unique_ptr<EventStore> store;
  ASSERT_TRUE(EventStore::Open({}, data, &store).ok());
  for (const std::string& key : acked) {
    AppendReceipt receipt;
    EXPECT_TRUE(store->FindCommand("admin/" + key, &receipt).ok()) << key;
  }
  EXPECT_TRUE(store->Verify().ok);

  // Structured logs: one JSON object per line, a request id on every request.
  std::ifstream in(log);
  std::string line;
  int requests = 0;
  bool stopped = false;
  while (std::getline(in, line)) {
    EXPECT_EQ(line.front(), '{') << line;
    EXPECT_EQ(line.back(), '}') << line;
    if (line.find(R"("msg":"request")") != std::string::npos) {
      ++requests;
      EXPECT_NE(line.find(R"("requestId":")"), std::string::npos) << line;
      EXPECT_NE(line.find(R"("route":"/v1/{workflow}/{id}/commands/{command}")"), std::string::npos)
          << line;
    }
    stopped |= line.find(R"("msg":"stopped")") != std::string::npos;
  }
  EXPECT_GE(requests, static_cast<int>(acked.size()));
  EXPECT_TRUE(stopped);
}

}  // namespace
}  // namespace wijkflow::http::testing
