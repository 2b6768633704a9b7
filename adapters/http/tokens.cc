#include "adapters/http/tokens.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "adapters/http/json.h"

namespace wijkflow::http {
namespace {

constexpr std::string_view kHeader =
    "# wijkflow tokens: sha256:<hash of token> <system> <role>[,<role>...] "
    "<district>[,<district>...]|*\n";

bool ValidName(std::string_view s) {
  if (s.empty() || s.size() > 100) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
           c == ':';
  });
}

std::vector<std::string> SplitList(std::string_view s) {
  std::vector<std::string> out;
  while (true) {
    size_t comma = s.find(',');
    out.emplace_back(s.substr(0, comma));
    if (comma == std::string_view::npos) break;
    s = s.substr(comma + 1);
  }
  return out;
}

std::string JoinList(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
  return out;
}

// Checks a principal's grants; the message says what is wrong.
std::string Invalid(const engine::Principal& p) {
  if (!ValidName(p.system)) return "bad system name '" + p.system + "'";
  if (p.roles.empty()) return "no roles";
  for (const auto& r : p.roles) {
    if (!ValidName(r) || r == "system") return "bad role '" + r + "'";
  }
  if (p.districts.empty()) return "no districts";
  for (const auto& d : p.districts) {
    if (d != "*" && !ValidName(d)) return "bad district '" + d + "'";
  }
  return "";
}

bool IsHex64(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

}  // namespace

std::string HashToken(std::string_view token) {
  // Fetched once: an implicit fetch per digest costs more than the digest of a short token.
  static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(token.data(), token.size(), md, &len, sha256, nullptr);
  return Hex(std::string_view(reinterpret_cast<const char*>(md), len));
}

std::string NewToken() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) std::abort();  // no entropy: never hand out a token
  return "wft_" + Hex(std::string_view(reinterpret_cast<const char*>(bytes), sizeof(bytes)));
}

std::string TokenLine(std::string_view token, const engine::Principal& p) {
  return "sha256:" + HashToken(token) + " " + p.system + " " + JoinList(p.roles) + " " +
         JoinList(p.districts);
}

Status Tokens::Parse(std::string_view text, std::unique_ptr<Tokens>* out) {
  auto tokens = std::unique_ptr<Tokens>(new Tokens());
  std::istringstream in{std::string(text)};
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    std::istringstream fields(line);
    std::string hash, system, roles, districts, extra;
    if (!(fields >> hash) || hash[0] == '#') continue;
    const std::string where = "tokens line " + std::to_string(n) + ": ";
    if (!(fields >> system >> roles >> districts) || (fields >> extra)) {
      return Status::InvalidArgument(where + "want: sha256:<hex> <system> <roles> <districts>");
    }
    if (hash.rfind("sha256:", 0) != 0 || !IsHex64(hash.substr(7))) {
      return Status::InvalidArgument(where + "the hash must be sha256:<64 lowercase hex digits>");
    }
    engine::Principal p{system, SplitList(roles), SplitList(districts)};
    if (std::string why = Invalid(p); !why.empty()) return Status::InvalidArgument(where + why);
    if (!tokens->by_hash_.emplace(hash.substr(7), std::move(p)).second) {
      return Status::InvalidArgument(where + "the same token appears twice");
    }
  }
  *out = std::move(tokens);
  return Status::OK();
}

Status Tokens::Load(const std::string& path, std::unique_ptr<Tokens>* out) {
  std::ifstream in(path);
  if (!in) return Status::NotFound("cannot read tokens file " + path);
  std::stringstream text;
  text << in.rdbuf();
  return Parse(text.str(), out);
}

const engine::Principal* Tokens::Find(std::string_view token) const {
  if (token.empty()) return nullptr;
  auto it = by_hash_.find(HashToken(token));
  return it == by_hash_.end() ? nullptr : &it->second;
}

Status WriteOwnerOnly(const std::string& path, const std::string& content, bool append) {
  int fd =
      ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_EXCL), 0600);
  if (fd < 0) return Status::StorageError("cannot create " + path);
  bool ok = ::fchmod(fd, 0600) == 0;
  for (size_t done = 0; ok && done < content.size();) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    ok = n > 0;
    if (ok) done += static_cast<size_t>(n);
  }
  ok = ::fsync(fd) == 0 && ok;
  ok = ::close(fd) == 0 && ok;
  return ok ? Status::OK() : Status::StorageError("cannot write " + path);
}

Status EnsureTokensFile(const std::string& path, std::string* admin_token) {
  admin_token->clear();
  struct stat st;
  if (::stat(path.c_str(), &st) == 0) return Status::OK();
  const std::string token = NewToken();
  const std::string content =
      std::string(kHeader) + TokenLine(token, {"admin", {std::string(kRoleAdmin)}, {"*"}}) + "\n";
  Status s = WriteOwnerOnly(path, content, false);
  if (s.ok()) *admin_token = token;
  return s;
}

Status IssueToken(const std::string& path, const engine::Principal& principal, std::string* token) {
  if (std::string why = Invalid(principal); !why.empty()) return Status::InvalidArgument(why);
  const std::string t = NewToken();
  std::string line = TokenLine(t, principal) + "\n";
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) line = std::string(kHeader) + line;
  Status s = WriteOwnerOnly(path, line, true);
  if (s.ok()) *token = t;
  return s;
}

}  // namespace wijkflow::http
