#include "events/sha256.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>

namespace wijkflow {

namespace {

// OpenSSL fails a digest call only when it cannot allocate or has lost its provider. The store
// cannot go on without its hash chains, so this is fatal, like running out of memory.
[[noreturn]] void Fatal(const char* what) {
  std::fprintf(stderr, "wijkflow: %s failed\n", what);
  std::abort();
}

// Fetched once: in OpenSSL 3 the implicit fetch behind EVP_sha256() costs a lookup per Init.
EVP_MD* FetchSha256() {
  static EVP_MD* md = [] {
    EVP_MD* m = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (m == nullptr) Fatal("EVP_MD_fetch(SHA256)");
    return m;
  }();
  return md;
}

}  // namespace

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  if (ctx_ == nullptr) Fatal("EVP_MD_CTX_new");
}

Sha256::~Sha256() { EVP_MD_CTX_free(ctx_); }

void Sha256::Begin() {
  if (EVP_DigestInit_ex2(ctx_, FetchSha256(), nullptr) != 1) {
    Fatal("EVP_DigestInit_ex2");
  }
}

void Sha256::Update(std::string_view data) {
  if (EVP_DigestUpdate(ctx_, data.data(), data.size()) != 1) {
    Fatal("EVP_DigestUpdate");
  }
}

Digest Sha256::Finish() {
  Digest out;
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx_, out.data(), &len) != 1 || len != out.size()) {
    Fatal("EVP_DigestFinal_ex");
  }
  return out;
}

Digest Sha256::Chain(const Digest& prev, std::string_view body) {
  Begin();
  Update(AsBytes(prev));
  Update(body);
  return Finish();
}

Digest Sha256::Hash(std::string_view data) {
  Begin();
  Update(data);
  return Finish();
}

Digest DigestFromBytes(std::string_view bytes) {
  Digest d{};
  std::memcpy(d.data(), bytes.data(), std::min(bytes.size(), d.size()));
  return d;
}

std::string ToHex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0xf]);
  }
  return out;
}

}  // namespace wijkflow
