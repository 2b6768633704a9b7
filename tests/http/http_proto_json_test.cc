// The adapter's JSON printer against protobuf's own (MessageToJsonString with
// always_print_primitive_fields): byte for byte, for every message of every workflow (commands,
// events, data), empty and filled in.
#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "adapters/http/json.h"
#include "adapters/http/openapi.h"
#include "adapters/http/proto_json.h"
#include "engine/json.h"
#include "engine/registry.h"
#include "wijkflow/envelope.pb.h"
#include "workflows/register_all.h"

namespace wijkflow::http {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

// Sets every field of `m` to something other than its default; repeated fields get two values,
// maps one entry (protobuf prints map entries in no fixed order).
void Fill(Message* m, int depth, int seed) {
  const Descriptor* d = m->GetDescriptor();
  const auto* r = m->GetReflection();
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    if (f->containing_oneof() != nullptr && i % 2 == 1) continue;  // some oneof members stay unset
    const int n = f->is_map() ? 1 : f->is_repeated() ? 2 : 1;
    for (int k = 0; k < n; ++k) {
      const int v = seed + i + k + 1;
      switch (f->cpp_type()) {
        case FieldDescriptor::CPPTYPE_INT32:
          f->is_repeated() ? r->AddInt32(m, f, -v) : r->SetInt32(m, f, -v);
          break;
        case FieldDescriptor::CPPTYPE_UINT32:
          f->is_repeated() ? r->AddUInt32(m, f, v) : r->SetUInt32(m, f, v);
          break;
        case FieldDescriptor::CPPTYPE_INT64:
          f->is_repeated() ? r->AddInt64(m, f, -v * 1'000'000'007LL)
                           : r->SetInt64(m, f, -v * 1'000'000'007LL);
          break;
        case FieldDescriptor::CPPTYPE_UINT64:
          f->is_repeated() ? r->AddUInt64(m, f, v * 3'000'000'019ULL)
                           : r->SetUInt64(m, f, v * 3'000'000'019ULL);
          break;
        case FieldDescriptor::CPPTYPE_DOUBLE:
          f->is_repeated() ? r->AddDouble(m, f, v / 3.0) : r->SetDouble(m, f, v / 3.0);
          break;
        case FieldDescriptor::CPPTYPE_FLOAT:
          f->is_repeated() ? r->AddFloat(m, f, v / 7.0f) : r->SetFloat(m, f, v / 7.0f);
          break;
        case FieldDescriptor::CPPTYPE_BOOL:
          f->is_repeated() ? r->AddBool(m, f, true) : r->SetBool(m, f, true);
          break;
        case FieldDescriptor::CPPTYPE_ENUM: {
          const auto* e = f->enum_type();
          const auto* ev = e->value(std::min(e->value_count() - 1, 1 + k));
          f->is_repeated() ? r->AddEnum(m, f, ev) : r->SetEnum(m, f, ev);
          break;
        }
        case FieldDescriptor::CPPTYPE_STRING: {
          const std::string s = f->type() == FieldDescriptor::TYPE_BYTES
                                    ? std::string("\x00\xff\x10 bytes", 9)
                                    : "Wijk <" + std::to_string(v) + "> \"é\"\n\t\x01 & 'x'";
          f->is_repeated() ? r->AddString(m, f, s) : r->SetString(m, f, s);
          break;
        }
        case FieldDescriptor::CPPTYPE_MESSAGE: {
          if (depth >= 3) break;
          Message* sub = f->is_repeated() ? r->AddMessage(m, f) : r->MutableMessage(m, f);
          if (sub->GetDescriptor()->full_name() == "google.protobuf.Timestamp") {
            sub->GetReflection()->SetInt64(sub, sub->GetDescriptor()->field(0), 1'696'118'400 + v);
            sub->GetReflection()->SetInt32(sub, sub->GetDescriptor()->field(1), k * 500'000'000);
          } else {
            Fill(sub, depth + 1, v);
          }
          break;
        }
      }
    }
  }
}

std::string Protobuf(const Message& m) {
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  std::string out;
  EXPECT_TRUE(google::protobuf::util::MessageToJsonString(m, &out, options).ok());
  return out;
}

std::string Ours(const Message& m) {
  std::string out;
  AppendMessageJson(&out, m);
  return out;
}

std::set<const Descriptor*> EveryMessage() {
  engine::WorkflowRegistry registry;
  workflows::RegisterAll(registry);
  std::set<const Descriptor*> all = {EventEnvelope::descriptor(), Actor::descriptor()};
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  for (const auto& wf : registry.workflows()) {
    all.insert(wf->NewInstance(wf->Info().definition_version)->Data().GetDescriptor());
    for (const auto& c : wf->Commands()) all.insert(c.prototype->GetDescriptor());
    for (const auto& e : wf->Info().events) all.insert(pool->FindMessageTypeByName(e));
  }
  for (const auto& p : registry.projections()) {
    if (p->ValueType() != nullptr) all.insert(p->ValueType()->GetDescriptor());
  }
  all.erase(nullptr);
  return all;
}

TEST(ProtoJsonTest, MatchesProtobufForEveryWorkflowMessage) {
  const auto all = EveryMessage();
  ASSERT_GT(all.size(), 40u);
  for (const Descriptor* d : all) {
    const Message* prototype =
        google::protobuf::MessageFactory::generated_factory()->GetPrototype(d);
    std::unique_ptr<Message> m(prototype->New());
    EXPECT_EQ(Ours(*m), Protobuf(*m)) << d->full_name() << " (empty)";
    Fill(m.get(), 0, 0);
    EXPECT_EQ(Ours(*m), Protobuf(*m)) << d->full_name() << " (filled)";
  }
}

TEST(ProtoJsonTest, EscapesStringsAsProtobufDoes) {
  std::string out;
  engine::AppendJsonString(&out, "a<b>&'\"\\/\x01\x7f\t é \xe2\x80\xa8\xe2\x80\xa9 x\b\f");
  EXPECT_EQ(out, R"("a\u003cb\u003e&'\"\\/\u0001\u007f\t é \u2028\u2029 x\b\f")");
}

}  // namespace
}  // namespace wijkflow::http

namespace wijkflow::http {
namespace {

bool ProtobufParse(const std::string& json, Message* m) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  return google::protobuf::util::JsonStringToMessage(json, m, options).ok();
}

TEST(ProtoJsonParseTest, ReadsBackWhatProtobufPrints) {
  for (const Descriptor* d : EveryMessage()) {
    const Message* prototype =
        google::protobuf::MessageFactory::generated_factory()->GetPrototype(d);
    std::unique_ptr<Message> original(prototype->New());
    Fill(original.get(), 0, 0);
    for (bool proto_names : {false, true}) {
      google::protobuf::util::JsonPrintOptions options;
      options.preserve_proto_field_names = proto_names;
      std::string json;
      ASSERT_TRUE(google::protobuf::util::MessageToJsonString(*original, &json, options).ok());
      std::unique_ptr<Message> parsed(prototype->New());
      std::string error, field;
      ASSERT_TRUE(ParseMessageJson(json, parsed.get(), &error, &field))
          << d->full_name() << ": " << error << "\n"
          << json;
      EXPECT_EQ(parsed->SerializeAsString(), original->SerializeAsString()) << d->full_name();
    }
  }
}

TEST(ProtoJsonParseTest, AcceptsAndRefusesWhatProtobufDoes) {
  const std::vector<std::string> corpus = {
      R"({})",
      R"({"district":"feijenoord","requestedCents":"150000","channel":"CHANNEL_DIGITAL"})",
      R"({"district":"feijenoord","requested_cents":150000,"channel":2})",
      R"({"requestedCents":1.0e3})",
      R"({"requestedCents":1.5})",
      R"({"requestedCents":"12x"})",
      R"({"requestedCents":"-9223372036854775808"})",
      R"({"requestedCents":"9223372036854775808"})",
      R"({"requestedCents":true})",
      R"({"channel":"CHANNEL_CARRIER_PIGEON"})",
      R"({"channel":null,"title":null})",
      R"({"title":5})",
      R"({"title":"a\u00e9\ud83d\ude00\n"})",
      // Found by tests/fuzz/command_json_fuzzer.cc: accepted here, refused by protobuf.
      "{\"title\":\"not UTF-8 \xff\"}",
      R"({"title":"\udc00"})",
      R"({"requestedCents":012})",
      R"({"requestedCents":.5})",
      R"({"requestedCents":"1.0"})",
      R"({"applicant":{"email":"a@b"}})",
      R"({"applicant":{"mail":"a@b"}})",
      R"({"applicant":"x"})",
      R"({"colour":"red"})",
      R"({"title":"a"} x)",
      R"([1])",
      R"({"title" "a"})",
      R"()",
      R"({"title":"a")",
  };
  const Descriptor* submit =
      google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(
          "wijkflow.initiative.Submit");
  ASSERT_NE(submit, nullptr);
  const Message* prototype =
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(submit);
  for (const std::string& json : corpus) {
    std::unique_ptr<Message> ours(prototype->New()), theirs(prototype->New());
    std::string error, field;
    const bool ok = ParseMessageJson(json, ours.get(), &error, &field);
    EXPECT_EQ(ok, ProtobufParse(json, theirs.get())) << json << " -> " << error;
    if (ok) {
      EXPECT_EQ(ours->SerializeAsString(), theirs->SerializeAsString()) << json;
    }
  }
  std::unique_ptr<Message> m(prototype->New());
  std::string error, field;
  // Protobuf's parser lets these through; they are not JSON, and the adapter refuses them.
  EXPECT_FALSE(ParseMessageJson(R"({"title":"bad \x"})", m.get(), &error, &field));
  EXPECT_FALSE(ParseMessageJson(R"({"title":"a",})", m.get(), &error, &field));
  EXPECT_FALSE(ParseMessageJson(R"({"applicant":{"mail":"a@b"}})", m.get(), &error, &field));
  EXPECT_EQ(field, "applicant.mail");
  EXPECT_FALSE(ParseMessageJson(R"({"requested_cents":"x"})", m.get(), &error, &field));
  EXPECT_EQ(field, "requestedCents");
  // A field given twice is refused, whichever of its names each time (found by the fuzzer:
  // protobuf keeps the first value when the second is null, and merges repeated fields).
  for (const char* twice : {R"({"title":"a","title":"b"})", R"({"title":"a","title":null})",
                            R"({"requestedCents":1,"requested_cents":2})",
                            R"({"applicant":{"email":"a@b","email":"c@d"}})"}) {
    EXPECT_FALSE(ParseMessageJson(twice, m.get(), &error, &field)) << twice;
    EXPECT_NE(error.find("Field given twice."), std::string::npos) << error;
  }
  EXPECT_EQ(field, "applicant.email");
}

}  // namespace
}  // namespace wijkflow::http

namespace wijkflow::http {
namespace {

// The OpenAPI document of the real workflows: JSON, every command of every workflow as a path,
// and every reference resolves.
TEST(OpenApiTest, DescribesEveryWorkflowCommandAndResolvesEveryReference) {
  engine::WorkflowRegistry registry;
  workflows::RegisterAll(registry);
  const std::string text = BuildOpenApi(registry);
  google::protobuf::Struct doc;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(text, &doc).ok());
  const auto& paths = doc.fields().at("paths").struct_value().fields();
  for (const auto& wf : registry.workflows()) {
    const std::string base = "/v1/" + wf->Info().name;
    EXPECT_TRUE(paths.count(base) && paths.count(base + "/{id}") &&
                paths.count(base + "/{id}/events"))
        << base;
    for (const auto& c : wf->Commands()) {
      EXPECT_TRUE(paths.count(base + "/{id}/commands/" + c.name)) << c.name;
    }
  }
  const auto& components = doc.fields().at("components").struct_value().fields();
  const std::regex ref(R"re("\$ref":"#/components/(schemas|parameters|responses)/([^"]+)")re");
  int refs = 0;
  for (std::sregex_iterator it(text.begin(), text.end(), ref), end; it != end; ++it, ++refs) {
    EXPECT_TRUE(components.at((*it)[1]).struct_value().fields().count((*it)[2])) << (*it)[0];
  }
  EXPECT_GT(refs, 100);
}

}  // namespace
}  // namespace wijkflow::http
