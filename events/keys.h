// Keys: the names of the store's column families and big-endian, fixed-width key encodings, so
// that keys sort bytewise in numeric order. RocksDB's own coding.h is little-endian: do not use it
// for keys. The layout itself is described at the top of event_store.cc.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace wijkflow::keys {

// Column family names. A store on disk has exactly these (plus RocksDB's "default", unused).
inline constexpr char kLog[] = "log";
inline constexpr char kStreams[] = "streams";
inline constexpr char kHeads[] = "heads";
inline constexpr char kCommands[] = "commands";
inline constexpr char kTimers[] = "timers";
inline constexpr char kSnapshots[] = "snapshots";
inline constexpr char kProjections[] = "projections";
inline constexpr char kMeta[] = "meta";

inline void PutBE16(std::string* dst, uint16_t v) {
  const char buf[2] = {static_cast<char>(v >> 8), static_cast<char>(v)};
  dst->append(buf, sizeof(buf));
}

inline void PutBE64(std::string* dst, uint64_t v) {
  char buf[8];
  for (int i = 7; i >= 0; --i) {
    buf[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  dst->append(buf, sizeof(buf));
}

// REQUIRES: p points at 2 readable bytes.
inline uint16_t DecodeBE16(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return static_cast<uint16_t>((u[0] << 8) | u[1]);
}

// REQUIRES: p points at 8 readable bytes.
inline uint64_t DecodeBE64(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | u[i];
  return v;
}

// `log` key: BE64 position.
inline std::string PositionKey(uint64_t position) {
  std::string key;
  PutBE64(&key, position);
  return key;
}

// Returns false unless `key` is exactly 8 bytes.
inline bool ParsePositionKey(std::string_view key, uint64_t* position) {
  if (key.size() != 8) return false;
  *position = DecodeBE64(key.data());
  return true;
}

// `streams` key prefix shared by every version of one stream: BE16 length, then the id. The length
// prefix keeps "a" and "ab" apart: no stream's prefix is a prefix of another's.
// REQUIRES: stream_id.size() <= 65535.
inline void AppendStreamPrefix(std::string* dst, std::string_view stream_id) {
  PutBE16(dst, static_cast<uint16_t>(stream_id.size()));
  dst->append(stream_id);
}

// `streams` key: BE16 length, id, BE64 version. REQUIRES: stream_id.size() <= 65535.
inline std::string StreamIndexKey(std::string_view stream_id, uint64_t version) {
  std::string key;
  key.reserve(2 + stream_id.size() + 8);
  AppendStreamPrefix(&key, stream_id);
  PutBE64(&key, version);
  return key;
}

// Returns false if `key` is not a well-formed stream index key.
inline bool ParseStreamIndexKey(std::string_view key, std::string_view* stream_id,
                                uint64_t* version) {
  if (key.size() < 2 + 8) return false;
  const size_t len = DecodeBE16(key.data());
  if (key.size() != 2 + len + 8) return false;
  *stream_id = key.substr(2, len);
  *version = DecodeBE64(key.data() + 2 + len);
  return true;
}

}  // namespace wijkflow::keys
