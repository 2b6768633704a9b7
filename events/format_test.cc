#include "events/format.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "events/keys.h"
#include "events/sha256.h"
#include "wijkflow/envelope.pb.h"

namespace wijkflow {
namespace {

TEST(KeysTest, PositionKeysSortNumerically) {
  std::vector<uint64_t> positions = {1, 2, 255, 256, 65535, 65536, 1ull << 40, UINT64_MAX};
  std::vector<std::string> encoded;
  for (uint64_t p : positions) encoded.push_back(keys::PositionKey(p));
  EXPECT_TRUE(std::is_sorted(encoded.begin(), encoded.end()));
  for (size_t i = 0; i < positions.size(); ++i) {
    uint64_t back = 0;
    ASSERT_TRUE(keys::ParsePositionKey(encoded[i], &back));
    EXPECT_EQ(back, positions[i]);
  }
  EXPECT_EQ(keys::PositionKey(0x0102030405060708ull),
            std::string("\x01\x02\x03\x04\x05\x06\x07\x08"));
}

TEST(KeysTest, StreamIndexKeysKeepStreamsApartAndVersionsInOrder) {
  // "ab" at any version must not sort between "a"'s versions.
  const std::string a1 = keys::StreamIndexKey("a", 1);
  const std::string a300 = keys::StreamIndexKey("a", 300);
  const std::string ab1 = keys::StreamIndexKey("ab", 1);
  EXPECT_LT(a1, a300);
  EXPECT_FALSE(a1 < ab1 && ab1 < a300);
  std::string prefix;
  keys::AppendStreamPrefix(&prefix, "a");
  EXPECT_EQ(ab1.compare(0, prefix.size(), prefix) == 0, false);

  std::string_view stream;
  uint64_t version = 0;
  ASSERT_TRUE(keys::ParseStreamIndexKey(a300, &stream, &version));
  EXPECT_EQ(stream, "a");
  EXPECT_EQ(version, 300u);
  EXPECT_FALSE(keys::ParseStreamIndexKey(a300.substr(1), &stream, &version));
}

TEST(Sha256Test, KnownVectorAndChain) {
  Sha256 sha;
  EXPECT_EQ(ToHex(AsBytes(sha.Hash("abc"))),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // Chain(prev, body) is SHA-256 of the concatenation.
  Digest prev = sha.Hash("prev");
  EXPECT_EQ(sha.Chain(prev, "body"), sha.Hash(std::string(AsBytes(prev)) + "body"));
}

TEST(FormatTest, HeadRoundTripsAndRejectsWrongSize) {
  HeadValue head{7, 1234, Sha256().Hash("x")};
  std::string encoded;
  EncodeHead(head, &encoded);
  ASSERT_EQ(encoded.size(), kHeadValueSize);
  HeadValue back;
  ASSERT_TRUE(DecodeHead(encoded, &back));
  EXPECT_EQ(back.version, 7u);
  EXPECT_EQ(back.position, 1234u);
  EXPECT_EQ(back.hash, head.hash);
  EXPECT_FALSE(DecodeHead(encoded.substr(1), &back));
}

TEST(FormatTest, ParseRecordSplitsBodyAndHashes) {
  EventEnvelope env;
  env.set_stream_id("s");
  std::string value = env.SerializeAsString();
  Sha256 sha;
  const Digest h1 = sha.Hash("1"), h2 = sha.Hash("2");
  value += AsBytes(h1);
  value += AsBytes(h2);
  EventEnvelope parsed;
  RecordView view;
  ASSERT_TRUE(ParseRecord(value, &parsed, &view).ok());
  EXPECT_EQ(parsed.stream_id(), "s");
  EXPECT_EQ(parsed.hash(), AsBytes(h1));
  EXPECT_EQ(parsed.global_hash(), AsBytes(h2));
  EXPECT_TRUE(ParseRecord("short", &parsed, &view).IsCorruption());
}

TEST(FormatTest, TimestampsBeforeTheEpochKeepNanosPositive) {
  google::protobuf::Timestamp ts;
  SetTimestamp(-1, &ts);
  EXPECT_EQ(ts.seconds(), -1);
  EXPECT_EQ(ts.nanos(), 999'999'000);
  SetTimestamp(1'700'000'000'123'456, &ts);
  EXPECT_EQ(ts.seconds(), 1'700'000'000);
  EXPECT_EQ(ts.nanos(), 123'456'000);
}

}  // namespace
}  // namespace wijkflow
