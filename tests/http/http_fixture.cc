#include "tests/http/http_fixture.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <spdlog/spdlog.h>

#include <fstream>

#include "adapters/http/tokens.h"
#include "engine/testdata/toggle_workflow.h"

namespace wijkflow::http::testing {

HttpTest::HttpTest() {
  spdlog::set_level(spdlog::level::warn);
  std::ofstream tokens(dir_.Sub("tokens"));
  tokens << "# test tokens\n"
         << TokenLine(kDesk, {"intake-desk", {"intake"}, {"feijenoord"}}) << "\n"
         << TokenLine(kOtherDesk, {"charlois-desk", {"intake"}, {"charlois"}}) << "\n"
         << TokenLine(kManager, {"wm-tool", {"district-manager"}, {"feijenoord"}}) << "\n"
         << TokenLine(kAuditor, {"audit", {"auditor"}, {"*"}}) << "\n"
         << TokenLine(kAdmin, {"ops", {"admin"}, {"*"}}) << "\n";
  tokens.close();
  StartService();
}

HttpTest::~HttpTest() { StopService(); }

void HttpTest::StartService(const std::function<void(ServiceOptions&)>& tweak) {
  StopService();
  registry_ = std::make_unique<engine::WorkflowRegistry>();
  wijkflow::testing::RegisterToggle(*registry_);
  ServiceOptions o;
  o.data_dir = dir_.Sub("data");
  o.tokens_path = dir_.Sub("tokens");
  o.server.port = 0;
  o.server.threads = 2;
  o.api.workers = 16;
  o.simulated_clock = true;
  o.clock_start = kStart;
  if (tweak) tweak(o);
  service_ = std::make_unique<Service>(o, registry_.get());
  Status s = service_->Start();
  ASSERT_TRUE(s.ok()) << s.ToString();
  port_ = service_->port();
}

void HttpTest::StopService() {
  if (service_) service_->Stop();
  service_.reset();
}

std::unique_ptr<HttpClient> HttpTest::Connect() {
  std::string error;
  auto c = HttpClient::Connect("127.0.0.1", port_, &error);
  EXPECT_NE(c, nullptr) << error;
  return c;
}

ClientResponse HttpTest::Get(const std::string& target, const std::string& token,
                             const Headers& headers) {
  auto c = Connect();
  Headers h = headers;
  if (!token.empty()) h.emplace_back("Authorization", "Bearer " + token);
  ClientResponse r;
  EXPECT_TRUE(c->Request("GET", target, h, "", &r)) << c->error();
  return r;
}

ClientResponse HttpTest::Post(const std::string& target, const std::string& body,
                              const std::string& token, const Headers& headers) {
  auto c = Connect();
  Headers h = headers;
  if (!token.empty()) h.emplace_back("Authorization", "Bearer " + token);
  bool has_type = false;
  for (const auto& [k, v] : h) has_type |= k == "Content-Type";
  if (!has_type) h.emplace_back("Content-Type", "application/json");
  ClientResponse r;
  EXPECT_TRUE(c->Request("POST", target, h, body, &r)) << c->error();
  return r;
}

ClientResponse HttpTest::Command(const std::string& id, const std::string& command,
                                 const std::string& body, const std::string& token,
                                 const Headers& headers) {
  return Post("/v1/toggles/" + id + "/commands/" + command, body, token, headers);
}

ClientResponse HttpTest::ExpectRejected(int status, const std::string& kind,
                                        const std::function<ClientResponse()>& fn) {
  const uint64_t before = LastPosition();
  ClientResponse r = fn();
  EXPECT_EQ(r.status, status) << r.body;
  EXPECT_EQ(r.Header("content-type"), "application/problem+json") << r.body;
  EXPECT_EQ(JsonString(r.body, "type"), "urn:wijkflow:problem:" + kind) << r.body;
  EXPECT_EQ(JsonField(r.body, "status"), std::to_string(status)) << r.body;
  EXPECT_FALSE(JsonString(r.body, "requestId").empty()) << r.body;
  EXPECT_EQ(LastPosition(), before) << "a rejected request appended";
  return r;
}

std::string JsonField(const std::string& json, const std::string& name) {
  google::protobuf::Struct s;
  if (!google::protobuf::util::JsonStringToMessage(json, &s).ok()) return "<not json>";
  auto it = s.fields().find(name);
  if (it == s.fields().end()) return "";
  std::string out;
  (void)google::protobuf::util::MessageToJsonString(it->second, &out);
  return out;
}

std::string JsonString(const std::string& json, const std::string& name) {
  google::protobuf::Struct s;
  if (!google::protobuf::util::JsonStringToMessage(json, &s).ok()) return "<not json>";
  auto it = s.fields().find(name);
  return it == s.fields().end() ? "" : it->second.string_value();
}

}  // namespace wijkflow::http::testing
