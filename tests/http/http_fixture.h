// A wijkflowd service in-process on a real socket, with a real store in a temp dir, running the
// engine's toggle test workflow on a simulated clock; and a client to talk to it.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "adapters/http/client.h"
#include "adapters/http/service.h"
#include "tests/testing/temp_dir.h"

namespace wijkflow::http::testing {

inline constexpr Micros kStart = 1'704'096'000'000'000;  // 2024-01-01T08:00:00Z

// Tokens the fixture's tokens file grants.
inline const std::string kDesk = "tok-desk";           // intake-desk: intake in feijenoord
inline const std::string kOtherDesk = "tok-charlois";  // charlois-desk: intake in charlois
inline const std::string kManager = "tok-manager";     // wm-tool: district-manager, feijenoord
inline const std::string kAuditor = "tok-auditor";     // audit: auditor, all districts
inline const std::string kAdmin = "tok-admin";         // ops: admin, all districts

using Headers = std::vector<std::pair<std::string, std::string>>;

class HttpTest : public ::testing::Test {
 protected:
  HttpTest();
  ~HttpTest() override;

  // Starts the service (again, on the same data) with `tweak` applied to the options.
  void StartService(const std::function<void(ServiceOptions&)>& tweak = nullptr);
  void StopService();

  std::unique_ptr<HttpClient> Connect();
  ClientResponse Get(const std::string& target, const std::string& token = kDesk,
                     const Headers& headers = {});
  ClientResponse Post(const std::string& target, const std::string& body,
                      const std::string& token = kDesk, const Headers& headers = {});
  // POST /v1/toggles/{id}/commands/{command}
  ClientResponse Command(const std::string& id, const std::string& command, const std::string& body,
                         const std::string& token = kDesk, const Headers& headers = {});
  ClientResponse Open(const std::string& id, const Headers& headers = {}) {
    return Command(id, "Open", R"({"district":"feijenoord"})", kDesk, headers);
  }

  uint64_t LastPosition() { return service_->store().LastPosition(); }
  // Expects `fn` to answer `status` with a problem of `kind`, and to append nothing.
  ClientResponse ExpectRejected(int status, const std::string& kind,
                                const std::function<ClientResponse()>& fn);

  wijkflow::testing::TempDir dir_;
  std::unique_ptr<engine::WorkflowRegistry> registry_;
  std::unique_ptr<Service> service_;
  uint16_t port_ = 0;
};

// A member of a flat JSON object: the raw text of its value ("\"open\"", "3", "{...}").
std::string JsonField(const std::string& json, const std::string& name);
// The same, without the quotes of a string.
std::string JsonString(const std::string& json, const std::string& name);

}  // namespace wijkflow::http::testing
