#include "adapters/http/client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstring>

namespace wijkflow::http {
namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

std::string_view ClientResponse::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k == name) return v;
  }
  return {};
}

std::unique_ptr<HttpClient> HttpClient::Connect(const std::string& host, uint16_t port,
                                                std::string* error) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  const std::string ip = host == "localhost" ? "127.0.0.1" : host;
  if (inet_pton(AF_INET, ip.c_str(), &addr.sin_addr) != 1) {
    if (error) *error = "bad address " + host;
    return nullptr;
  }
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    if (error) *error = std::string("connect: ") + std::strerror(errno);
    if (fd >= 0) ::close(fd);
    return nullptr;
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  auto c = std::unique_ptr<HttpClient>(new HttpClient(fd));
  c->host_ = host + ":" + std::to_string(port);
  return c;
}

HttpClient::~HttpClient() { ::close(fd_); }

bool HttpClient::SendRaw(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) {
      error_ = std::string("send: ") + std::strerror(errno);
      return false;
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

bool HttpClient::SendRequest(std::string_view method, std::string_view target,
                             const std::vector<std::pair<std::string, std::string>>& headers,
                             std::string_view body) {
  std::string req;
  req.reserve(256 + body.size());
  req.append(method).append(" ").append(target).append(" HTTP/1.1\r\nHost: ").append(host_);
  req.append("\r\n");
  bool has_length = false;
  for (const auto& [k, v] : headers) {
    req.append(k).append(": ").append(v).append("\r\n");
    has_length |= Lower(k) == "content-length";
  }
  if (!has_length && (!body.empty() || method == "POST")) {
    req.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
  }
  req.append("\r\n").append(body);
  return SendRaw(req);
}

bool HttpClient::Fill() {
  if (pos_ > 0 && pos_ == buf_.size()) {
    buf_.clear();
    pos_ = 0;
  }
  pollfd p{fd_, POLLIN, 0};
  int r = ::poll(&p, 1, static_cast<int>(timeout_.count()));
  if (r <= 0) {
    error_ = r == 0 ? "timeout" : std::string("poll: ") + std::strerror(errno);
    return false;
  }
  char tmp[16384];
  ssize_t n = ::recv(fd_, tmp, sizeof(tmp), 0);
  if (n <= 0) {
    error_ = n == 0 ? "closed" : std::string("recv: ") + std::strerror(errno);
    return false;
  }
  buf_.append(tmp, static_cast<size_t>(n));
  return true;
}

bool HttpClient::ReadLine(std::string* line) {
  for (;;) {
    size_t eol = buf_.find("\r\n", pos_);
    if (eol != std::string::npos) {
      line->assign(buf_, pos_, eol - pos_);
      pos_ = eol + 2;
      return true;
    }
    if (!Fill()) return false;
  }
}

bool HttpClient::ReadExactly(size_t n, std::string* out) {
  while (buf_.size() - pos_ < n) {
    if (!Fill()) return false;
  }
  out->append(buf_, pos_, n);
  pos_ += n;
  return true;
}

bool HttpClient::ReadChunk(std::string* out) {
  std::string line;
  if (!ReadLine(&line)) return false;
  size_t size = std::strtoul(line.c_str(), nullptr, 16);
  std::string data;
  if (!ReadExactly(size, &data) || !ReadLine(&line)) return false;
  *out = std::move(data);
  return true;
}

bool HttpClient::ReadHead(ClientResponse* out, bool* chunked, int64_t* length) {
  out->headers.clear();
  out->body.clear();
  std::string line;
  for (;;) {
    if (!ReadLine(&line)) return false;
    if (line.rfind("HTTP/1.1 100 ", 0) != 0) break;
    while (ReadLine(&line) && !line.empty()) {  // an interim "100 Continue": skip it
    }
  }
  if (line.size() < 12 || line.rfind("HTTP/1.", 0) != 0) {
    error_ = "bad status line: " + line;
    return false;
  }
  out->status = std::atoi(line.c_str() + 9);
  *chunked = false;
  *length = -1;
  while (ReadLine(&line) && !line.empty()) {
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = Lower(line.substr(0, colon));
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    if (name == "content-length") *length = std::atoll(value.c_str());
    if (name == "transfer-encoding" && Lower(value).find("chunked") != std::string::npos) {
      *chunked = true;
    }
    out->headers.emplace_back(std::move(name), std::move(value));
  }
  return line.empty();
}

bool HttpClient::ReadResponse(ClientResponse* out) {
  bool chunked;
  int64_t length;
  if (!ReadHead(out, &chunked, &length)) return false;
  if (out->status == 304 || out->status == 204) return true;
  if (chunked) {
    std::string chunk;
    do {
      if (!ReadChunk(&chunk)) return false;
      out->body += chunk;
    } while (!chunk.empty());
    return true;
  }
  if (length >= 0) return ReadExactly(static_cast<size_t>(length), &out->body);
  while (Fill()) {
  }
  out->body.assign(buf_, pos_);
  pos_ = buf_.size();
  return true;
}

bool HttpClient::Request(std::string_view method, std::string_view target,
                         const std::vector<std::pair<std::string, std::string>>& headers,
                         std::string_view body, ClientResponse* out) {
  return SendRequest(method, target, headers, body) && ReadResponse(out);
}

bool HttpClient::Get(std::string_view target, const std::string& token, ClientResponse* out) {
  std::vector<std::pair<std::string, std::string>> headers;
  if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
  return Request("GET", target, headers, "", out);
}

bool HttpClient::Post(std::string_view target, const std::string& token, std::string_view body,
                      ClientResponse* out,
                      const std::vector<std::pair<std::string, std::string>>& extra) {
  std::vector<std::pair<std::string, std::string>> headers = extra;
  if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
  headers.emplace_back("Content-Type", "application/json");
  return Request("POST", target, headers, body, out);
}

bool HttpClient::ReadResponseHeader(ClientResponse* out) {
  int64_t length;
  events_.clear();
  return ReadHead(out, &chunked_stream_, &length);
}

bool HttpClient::ReadEvent(SseEvent* out) {
  for (;;) {
    size_t end = events_.find("\n\n");
    if (end != std::string::npos) {
      std::string block = events_.substr(0, end);
      events_.erase(0, end + 2);
      SseEvent e;
      bool has_data = false;
      size_t start = 0;
      while (start <= block.size()) {
        size_t nl = block.find('\n', start);
        std::string line = block.substr(start, nl == std::string::npos ? nl : nl - start);
        start = nl == std::string::npos ? block.size() + 1 : nl + 1;
        auto value = [&](size_t n) { return line.substr(std::min(line.size(), n)); };
        if (line.rfind("id: ", 0) == 0) e.id = value(4);
        if (line.rfind("event: ", 0) == 0) e.event = value(7);
        if (line.rfind("data: ", 0) == 0) {
          if (has_data) e.data += '\n';
          e.data += value(6);
          has_data = true;
        }
      }
      if (!has_data) continue;
      *out = std::move(e);
      return true;
    }
    std::string more;
    if (chunked_stream_) {
      if (!ReadChunk(&more) || more.empty()) return false;
    } else {
      if (pos_ == buf_.size() && !Fill()) return false;
      more.assign(buf_, pos_);
      pos_ = buf_.size();
    }
    events_ += more;
  }
}

bool HttpClient::WaitForClose() {
  for (;;) {
    pos_ = buf_.size();
    if (!Fill()) return error_ != "timeout";
  }
}

}  // namespace wijkflow::http
