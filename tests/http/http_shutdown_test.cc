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

#include "absl/strings/str_cat.h"
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
  const std::string id = absl::StrCat("c", client, "-", n);
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

// wijkflowd as a child process, its stdout on a pipe and its stderr (the logs) in a file.
class Wijkflowd {
 public:
  // Starts it with options from a config file and the data directory from a flag, and waits for
  // "wijkflowd: listening on http://127.0.0.1:PORT (...)".
  explicit Wijkflowd(const wijkflow::testing::TempDir& dir)
      : data_(dir.Sub("data")), log_(dir.Sub("wijkflowd.log")) {
    const std::string config = dir.Sub("wijkflowd.toml");
    std::ofstream(config) << "port = 0\nclock = \"simulated\"\nclock-start = "
                             "\"2023-06-01T09:00:00Z\"\nlog-level = \"info\"\n"
                             "log-format = \"json\"\n";
    int out[2];
    if (pipe(out) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out[1], 1);
      dup2(open(log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600), 2);
      close(out[0]);
      execl(WIJKFLOWD_PATH, "wijkflowd", "--config", config.c_str(), "--data", data_.c_str(),
            static_cast<char*>(nullptr));
      _exit(127);
    }
    close(out[1]);
    out_ = out[0];
    std::string text;
    char buf[256];
    for (ssize_t n; port_ == 0 && (n = read(out_, buf, sizeof(buf))) > 0;) {
      text.append(buf, static_cast<size_t>(n));
      const size_t at = text.find("listening on http://127.0.0.1:");
      if (at != std::string::npos && text.find(' ', at + 30) != std::string::npos) {
        port_ = static_cast<uint16_t>(std::stoi(text.substr(at + 30)));
      }
    }
  }
  ~Wijkflowd() {
    if (out_ >= 0) close(out_);
  }

  // SIGTERM, then its exit status (-1 if it did not exit normally).
  int Terminate() {
    int status = 0;
    if (kill(pid_, SIGTERM) != 0 || waitpid(pid_, &status, 0) != pid_) return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  uint16_t port() const { return port_; }
  const std::string& data() const { return data_; }
  const std::string& log() const { return log_; }

 private:
  std::string data_, log_;
  pid_t pid_ = -1;
  int out_ = -1;
  uint16_t port_ = 0;
};

// Every log line is a JSON object; each request's line has a request id. Returns the number of
// request lines, and whether the server logged that it stopped.
int CheckLog(const std::string& path, bool* stopped) {
  std::ifstream in(path);
  std::string line;
  int requests = 0;
  *stopped = false;
  while (std::getline(in, line)) {
    EXPECT_EQ(line.front(), '{') << line;
    EXPECT_EQ(line.back(), '}') << line;
    if (line.find(R"("msg":"request")") != std::string::npos) {
      ++requests;
      EXPECT_NE(line.find(R"("requestId":")"), std::string::npos) << line;
      EXPECT_NE(line.find(R"("route":"/v1/{workflow}/{id}/commands/{command}")"), std::string::npos)
          << line;
    }
    *stopped |= line.find(R"("msg":"stopped")") != std::string::npos;
  }
  return requests;
}

// wijkflowd as a process: SIGTERM during load, exit status 0, nothing acknowledged lost.
TEST(WijkflowdProcessTest, SigtermDuringLoadExitsZeroAndLosesNothing) {
  wijkflow::testing::TempDir dir;
  Wijkflowd server(dir);
  ASSERT_NE(server.port(), 0) << "wijkflowd did not start";
  std::string admin;
  std::ifstream(server.data() + "/tokens.admin") >> admin;
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
    Load load(server.port(), 8, grant);
    load.WaitForAcks(100);
    EXPECT_EQ(server.Terminate(), 0);
    acked = load.Join();
  }
  std::unique_ptr<EventStore> store;
  ASSERT_TRUE(EventStore::Open({}, server.data(), &store).ok());
  for (const std::string& key : acked) {
    AppendReceipt receipt;
    EXPECT_TRUE(store->FindCommand("admin/" + key, &receipt).ok()) << key;
  }
  EXPECT_TRUE(store->Verify().ok);
  bool stopped = false;
  EXPECT_GE(CheckLog(server.log(), &stopped), static_cast<int>(acked.size()));
  EXPECT_TRUE(stopped);
}

}  // namespace
}  // namespace wijkflow::http::testing
