// open_store's URL handling and password masking; needs no database server.
#include "storage/store_url.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>

#include "storage/store.h"

namespace atrium::storage {
namespace {

using core::ErrorCode;

// A loopback port nobody listens on (bound, then released).
int closed_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  EXPECT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  close(fd);
  return ntohs(addr.sin_port);
}

TEST(StoreUrl, RedactsPasswordsInUserInfoAndQuery) {
  EXPECT_EQ(redact_url("postgres://atrium:s3cret@db:5432/atrium"), "postgres://atrium:***@db:5432/atrium");
  EXPECT_EQ(redact_url("postgresql://u:p%40ss@h/db?sslmode=require&password=two&x=1"),
            "postgresql://u:***@h/db?sslmode=require&password=***&x=1");
  EXPECT_EQ(redact_url("postgres://u@h/db"), "postgres://u@h/db");
  EXPECT_EQ(redact_url("postgres://h/db?password=only"), "postgres://h/db?password=***");
  EXPECT_EQ(redact_url("postgres://u:pa:ss@h"), "postgres://u:***@h");
  EXPECT_EQ(redact_url("sqlite:///var/lib/atrium.db"), "sqlite:///var/lib/atrium.db");
  EXPECT_EQ(redact_url("/plain/path"), "/plain/path");
}

TEST(StoreUrl, ScrubsPasswordFromMessages) {
  EXPECT_EQ(scrub_password("failed for s3cret and s3cret", "postgres://u:s3cret@h/db"), "failed for *** and ***");
  EXPECT_EQ(scrub_password("nothing here", "postgres://u@h/db"), "nothing here");
}

TEST(OpenStore, RejectsUnknownSchemesWithoutShowingThePassword) {
  for (const std::string url : {"mysql://root:hunter22@localhost/atrium", "redis://h:6379", "file:/tmp/x.db"}) {
    auto s = open_store(url);
    ASSERT_FALSE(s) << url;
    EXPECT_EQ(s.error().code, ErrorCode::InvalidArgument) << url;
    EXPECT_EQ(s.error().message.find("hunter22"), std::string::npos) << s.error().message;
    EXPECT_NE(s.error().message.find("postgres://"), std::string::npos) << "names the accepted forms";
  }
  auto empty = open_store("");
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, ErrorCode::InvalidArgument);
  auto relative = open_store("sqlite://relative.db");
  ASSERT_FALSE(relative);
  EXPECT_EQ(relative.error().code, ErrorCode::InvalidArgument);
}

TEST(OpenStore, UnreachablePostgresIsUnavailableWithPasswordMasked) {
  std::string url = "postgres://atrium:Sup3rSecretPw@127.0.0.1:" + std::to_string(closed_port()) + "/atrium";
  auto s = open_store(url);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, ErrorCode::Unavailable);
  EXPECT_EQ(s.error().message.find("Sup3rSecretPw"), std::string::npos) << s.error().message;
  EXPECT_NE(s.error().message.find("atrium:***@127.0.0.1"), std::string::npos) << s.error().message;
  EXPECT_NE(s.error().message.find("refused"), std::string::npos) << "gives the reason: " << s.error().message;
}

TEST(OpenStore, UnopenableSqliteFileIsUnavailable) {
  auto s = open_store("sqlite:///nonexistent-dir-for-atrium/sub/atrium.db");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, ErrorCode::Unavailable);
  EXPECT_NE(s.error().message.find("/nonexistent-dir-for-atrium/sub/atrium.db"), std::string::npos)
      << s.error().message;
}

TEST(OpenStore, PlainPathAndSqliteUrlOpenTheSameFile) {
  auto dir = std::filesystem::temp_directory_path() / ("atrium-open-store-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::string path = (dir / "atrium.db").string();
  {
    auto by_path = open_store(path);
    ASSERT_TRUE(by_path) << by_path.error().message;
    EXPECT_EQ((*by_path)->backend(), "sqlite");
    StoredObject o;
    o.kind = "Workspace";
    o.name = "alpha";
    ASSERT_TRUE((*by_path)->create(o));
  }
  auto by_url = open_store("sqlite://" + path);
  ASSERT_TRUE(by_url) << by_url.error().message;
  EXPECT_TRUE((*by_url)->get("Workspace", "", "alpha"));
  by_url->reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace atrium::storage
