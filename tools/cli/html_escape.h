// Escaping for text placed in HTML or inline SVG: element content and quoted attribute values.
// Every piece of recorded data a report shows passes through here, so that text in an event
// (a reason, an actor id) can never become markup.
#pragma once

#include <string>
#include <string_view>

namespace wijkflow::cli {

inline std::string EscapeHtml(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      case '\0':
        out += "&#xFFFD;";
        break;  // NUL is a parse error in HTML
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace wijkflow::cli
