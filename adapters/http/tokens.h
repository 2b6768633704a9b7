// Bearer tokens: who a caller is, in which roles it may act and for which districts.
//
// The tokens file holds one calling system per line; only SHA-256 hashes of tokens are stored, so
// the file does not give the tokens away:
//
//   file   := line*
//   line   := comment | blank | entry
//   entry  := "sha256:" hex64 WS system WS roles WS districts
//   roles  := role ("," role)*            e.g. "intake" or "district-council,district-team"
//   districts := "*" | district ("," district)*
//   comment := "#" anything
//
// Names are [a-z0-9._:-]+. Roles are the actor roles of the workflows (intake, district-council,
// district-manager, executive, district-team, ...) plus two of the adapter's own: "auditor" reads
// everything and writes nothing; "admin" may act in any role and moves the simulated clock.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/engine.h"
#include "events/status.h"

namespace wijkflow::http {

inline constexpr std::string_view kRoleAdmin = "admin";
inline constexpr std::string_view kRoleAuditor = "auditor";

class Tokens {
 public:
  // Reads and validates the file. InvalidArgument names the first bad line; NotFound if the file
  // does not exist.
  static Status Load(const std::string& path, std::unique_ptr<Tokens>* out);
  // From text in the file's format, e.g. for tests.
  static Status Parse(std::string_view text, std::unique_ptr<Tokens>* out);

  // The principal a presented token belongs to; nullptr if none.
  const engine::Principal* Find(std::string_view token) const;
  size_t size() const { return by_hash_.size(); }

 private:
  std::unordered_map<std::string, engine::Principal> by_hash_;  // hex SHA-256 -> grants
};

// A new random token (256 bits), e.g. "wft_3f9c...".
std::string NewToken();
// Hex SHA-256 of a token, as the file stores it.
std::string HashToken(std::string_view token);
// One entry line for the file (without newline).
std::string TokenLine(std::string_view token, const engine::Principal& principal);

// If `path` does not exist: creates it (mode 0600) with one entry for a new admin token and
// returns that token in `*admin_token`; otherwise leaves it alone and clears `*admin_token`.
Status EnsureTokensFile(const std::string& path, std::string* admin_token);

// Adds an entry for a new random token to `path` (creating the file, mode 0600, if needed) and
// returns the token. The grants are validated as Load would. A new file gets no admin entry.
Status IssueToken(const std::string& path, const engine::Principal& principal, std::string* token);

// Writes `content` to `path` readable by its owner only.
Status WriteOwnerOnly(const std::string& path, const std::string& content, bool append);

}  // namespace wijkflow::http
