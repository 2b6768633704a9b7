// The real wijkflowd process the soak drives, and the wijkflow CLI it checks the store with.
// Both binaries are found beside wijkflow-bench (the build puts them all in bin/).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace wijkflow::bench {

// The directory of the running executable.
std::string OwnBinDir();

class ServerProcess {
 public:
  ServerProcess() = default;
  ~ServerProcess();  // kills a server still running (the soak failed on the way)
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Starts `binary` with `args` plus `--port 0`, its stderr appended to `log`, and waits for the
  // port it prints. Throws std::runtime_error if it does not start.
  void Start(const std::string& binary, const std::vector<std::string>& args,
             const std::string& log);
  // Whether the process still runs; false once it has exited (then `exit_note` says how).
  bool Alive();
  // SIGTERM and wait; the exit status, or -1 if it died by a signal.
  int Stop();
  // VmRSS of the process in MiB, 0 if unknown.
  double ResidentMiB() const;

  pid_t pid() const { return pid_; }
  uint16_t port() const { return port_; }
  const std::string& exit_note() const { return exit_note_; }

 private:
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  std::string exit_note_;
};

// Runs `binary` with `args` to completion (stdout and stderr inherited); its exit status, or -1.
int RunToCompletion(const std::string& binary, const std::vector<std::string>& args);

// The last `bytes` of a file, for showing a server log after a failure.
std::string Tail(const std::string& path, size_t bytes);

// The 1-minute load average of the machine.
double LoadAverage();

}  // namespace wijkflow::bench
