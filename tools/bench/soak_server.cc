#include "tools/bench/soak_server.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "tools/bench/workload.h"

namespace wijkflow::bench {
namespace {

// argv for execv: the strings stay owned by `args`.
std::vector<char*> Argv(const std::string& binary, const std::vector<std::string>& args) {
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(binary.c_str()));
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  return argv;
}

std::string DescribeExit(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  return "stopped";
}

}  // namespace

std::string OwnBinDir() {
  return std::filesystem::read_symlink("/proc/self/exe").parent_path().string();
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
}

void ServerProcess::Start(const std::string& binary, const std::vector<std::string>& args,
                          const std::string& log) {
  std::vector<std::string> all = args;
  all.insert(all.end(), {"--port", "0"});
  const auto argv = Argv(binary, all);  // built before fork: the child only calls exec
  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  const int err = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (err < 0) throw std::runtime_error("cannot open " + log);
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    ::dup2(out[1], 1);
    ::dup2(err, 2);
    ::execv(binary.c_str(), argv.data());
    _exit(127);
  }
  ::close(out[1]);
  ::close(err);
  // It prints "wijkflowd: listening on http://127.0.0.1:PORT (...)" once it serves.
  const std::string marker = "listening on http://127.0.0.1:";
  std::string text;
  char buf[512];
  while (port_ == 0) {
    const ssize_t n = ::read(out[0], buf, sizeof(buf));
    if (n <= 0) break;
    text.append(buf, static_cast<size_t>(n));
    const size_t at = text.find(marker);
    if (at != std::string::npos && text.find(' ', at + marker.size()) != std::string::npos) {
      port_ = static_cast<uint16_t>(std::stoi(text.substr(at + marker.size())));
    }
  }
  ::close(out[0]);
  if (port_ == 0) throw std::runtime_error(binary + " did not start: " + text + Tail(log, 2000));
}

bool ServerProcess::Alive() {
  if (pid_ <= 0) return false;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) != pid_) return true;
  exit_note_ = DescribeExit(status);
  pid_ = -1;
  return false;
}

int ServerProcess::Stop() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  exit_note_ = DescribeExit(status);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

double ServerProcess::ResidentMiB() const { return bench::ResidentMiB(pid_); }

int RunToCompletion(const std::string& binary, const std::vector<std::string>& args) {
  const auto argv = Argv(binary, args);
  const pid_t pid = ::fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    ::execv(binary.c_str(), argv.data());
    _exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string Tail(const std::string& path, size_t bytes) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return "";
  const auto size = static_cast<size_t>(in.tellg());
  in.seekg(static_cast<std::streamoff>(size > bytes ? size - bytes : 0));
  return std::string(std::istreambuf_iterator<char>(in), {});
}

double LoadAverage() {
  double one = 0;
  std::ifstream("/proc/loadavg") >> one;
  return one;
}

}  // namespace wijkflow::bench
