// SHA-256 over OpenSSL's EVP interface, for the store's hash chains.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

struct evp_md_ctx_st;  // OpenSSL's EVP_MD_CTX

namespace wijkflow {

using Digest = std::array<uint8_t, 32>;

inline constexpr Digest kZeroDigest{};

inline std::string_view AsBytes(const Digest& d) {
  return {reinterpret_cast<const char*>(d.data()), d.size()};
}

// REQUIRES: bytes.size() == 32.
Digest DigestFromBytes(std::string_view bytes);

// Lowercase hex, e.g. for logs and the demo.
std::string ToHex(std::string_view bytes);

// A reusable hasher. Keeping one per thread avoids allocating an OpenSSL context per hash.
// Not thread-safe: one instance per thread.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  // SHA-256(prev || body): one link of a hash chain.
  Digest Chain(const Digest& prev, std::string_view body);
  // SHA-256(data).
  Digest Hash(std::string_view data);

 private:
  void Begin();
  void Update(std::string_view data);
  Digest Finish();

  evp_md_ctx_st* ctx_;
};

}  // namespace wijkflow
