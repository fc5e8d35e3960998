#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "crypto/key_file.h"
#include "crypto/keyring.h"
#include "crypto/mask.h"

namespace atrium::crypto {
namespace {

namespace fs = std::filesystem;
using core::ErrorCode;

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "atrium-crypto-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

Keyring keyring_with(std::initializer_list<std::string_view> ids) {
  Keyring k;
  for (auto id : ids) {
    std::array<unsigned char, kKeyBytes> key{};
    generate_key(key);
    EXPECT_TRUE(k.append(id, key));
  }
  return k;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_file(const fs::path& p, std::string_view text, mode_t mode) {
  std::ofstream(p) << text;
  ASSERT_EQ(::chmod(p.c_str(), mode), 0);
}

mode_t file_mode(const fs::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0);
  return st.st_mode & 07777;
}

TEST(Keyring, RoundTrip) {
  auto k = keyring_with({"k1"});
  for (std::string plain :
       {std::string(), std::string("hunter2"), std::string("a\0b\n\xff", 5), std::string(kMaxPlaintextBytes, 'x')}) {
    auto blob = k.seal(plain, "User/alice/password");
    ASSERT_TRUE(blob) << blob.error().message;
    EXPECT_EQ(blob->rfind("v1:k1:", 0), 0u);
    EXPECT_EQ(blob->find(plain.empty() ? "\x01" : plain.substr(0, 5)), std::string::npos);
    auto opened = k.open(*blob, "User/alice/password");
    ASSERT_TRUE(opened) << opened.error().message;
    EXPECT_EQ(*opened, plain);
  }
}

TEST(Keyring, SealingTwiceGivesDifferentBlobs) {
  auto k = keyring_with({"k1"});
  EXPECT_NE(*k.seal("same", "ctx"), *k.seal("same", "ctx"));
}

TEST(Keyring, WrongContextFails) {
  auto k = keyring_with({"k1"});
  auto blob = k.seal("hunter2", "User/alice/password");
  ASSERT_TRUE(blob);
  auto opened = k.open(*blob, "User/bob/password");
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, ErrorCode::PermissionDenied);
  EXPECT_EQ(opened.error().message.find("hunter2"), std::string::npos);
}

TEST(Keyring, RelabelledKeyIdFails) {
  auto k = keyring_with({"k1", "k2"});
  auto blob = k.seal("hunter2", "ctx");  // sealed with k2
  ASSERT_TRUE(blob);
  std::string relabelled = "v1:k1:" + blob->substr(6);
  auto opened = k.open(relabelled, "ctx");
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, ErrorCode::PermissionDenied);
}

TEST(Keyring, TamperedCiphertextFails) {
  auto k = keyring_with({"k1"});
  auto blob = *k.seal("hunter2 and more text", "ctx");
  // Flip each base64 character of the payload in turn to another valid base64 character.
  for (std::size_t i = 6; i + 2 < blob.size(); ++i) {
    std::string t = blob;
    t[i] = t[i] == 'A' ? 'B' : 'A';
    auto opened = k.open(t, "ctx");
    ASSERT_FALSE(opened) << "position " << i;
    EXPECT_TRUE(opened.error().code == ErrorCode::PermissionDenied || opened.error().code == ErrorCode::InvalidArgument)
        << opened.error().message;
  }
}

TEST(Keyring, TruncatedBlobsFailCleanly) {
  auto k = keyring_with({"k1"});
  auto blob = *k.seal("hunter2", "ctx");
  for (std::size_t n = 0; n < blob.size(); ++n) {
    auto opened = k.open(std::string_view(blob).substr(0, n), "ctx");
    ASSERT_FALSE(opened) << n;
    EXPECT_TRUE(opened.error().code == ErrorCode::InvalidArgument || opened.error().code == ErrorCode::PermissionDenied)
        << n << ": " << opened.error().message;
  }
}

TEST(Keyring, GarbageAndEmptyBlobsAreInvalidArgument) {
  auto k = keyring_with({"k1"});
  for (std::string_view bad :
       {"", "v1", "v1:", "v1:k1", "v1:k1:", "v1::AAAA", "v2:k1:AAAA", "hunter2", "v1:k1:!!!!", "v1:k1:AAAA",
        "v1:k 1:AAAA", "v1:k1:AAAA====", "\0\0\0", "v1:k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n"}) {
    auto opened = k.open(bad, "ctx");
    ASSERT_FALSE(opened) << bad;
    EXPECT_EQ(opened.error().code, ErrorCode::InvalidArgument) << bad << ": " << opened.error().message;
  }
}

TEST(Keyring, HugeBlobIsRefusedWithoutDecoding) {
  auto k = keyring_with({"k1"});
  std::string huge = "v1:k1:" + std::string(8 * 1024 * 1024, 'A');
  auto opened = k.open(huge, "ctx");
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, ErrorCode::InvalidArgument);
  EXPECT_FALSE(k.seal(std::string(kMaxPlaintextBytes + 1, 'x'), "ctx"));
}

TEST(Keyring, UnknownKeyIdIsFailedPrecondition) {
  auto a = keyring_with({"k1"});
  auto b = keyring_with({"k2"});
  auto opened = b.open(*a.seal("hunter2", "ctx"), "ctx");
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, ErrorCode::FailedPrecondition);
  EXPECT_NE(opened.error().message.find("k1"), std::string::npos);
}

TEST(Keyring, SameIdDifferentKeyFailsAuthentication) {
  auto a = keyring_with({"k1"});
  auto b = keyring_with({"k1"});
  auto opened = b.open(*a.seal("hunter2", "ctx"), "ctx");
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, ErrorCode::PermissionDenied);
}

TEST(Keyring, EmptyKeyringCannotSeal) {
  Keyring k;
  auto blob = k.seal("x", "ctx");
  ASSERT_FALSE(blob);
  EXPECT_EQ(blob.error().code, ErrorCode::FailedPrecondition);
}

TEST(Keyring, AppendRejectsBadAndDuplicateIds) {
  Keyring k;
  std::array<unsigned char, kKeyBytes> key{};
  EXPECT_TRUE(k.append("k1", key));
  EXPECT_FALSE(k.append("k1", key));
  EXPECT_FALSE(k.append("", key));
  EXPECT_FALSE(k.append("a:b", key));
  EXPECT_FALSE(k.append(std::string(kMaxKeyIdLength + 1, 'a'), key));
  EXPECT_EQ(k.size(), 1u);
}

TEST(Keyring, ConcurrentSealAndOpen) {
  auto k = keyring_with({"k1", "k2"});
  auto old_blob = *keyring_with({"zz"}).seal("x", "ctx");  // unknown key, exercised concurrently too
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        std::string plain = "secret-" + std::to_string(t) + "-" + std::to_string(i);
        std::string ctx = "User/u" + std::to_string(t) + "/password";
        auto blob = k.seal(plain, ctx);
        if (!blob) ++failures;
        auto opened = k.open(*blob, ctx);
        if (!opened || *opened != plain) ++failures;
        if (k.open(old_blob, ctx)) ++failures;
        if (k.needs_rotation(*blob)) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST(Mask, RevealsNothing) {
  EXPECT_EQ(mask("hunter2"), "******");
  EXPECT_EQ(mask(std::string(1000, 'x')), "******");
  EXPECT_EQ(mask("a"), "******");
  EXPECT_EQ(mask(""), "");
}

TEST(KeyFile, CreatedWithMode0600AndReloadsSameKey) {
  TempDir dir;
  auto path = dir.path() / "sub" / "keys";
  auto first = load_or_create_keyring(path);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->size(), 1u);
  EXPECT_EQ(file_mode(path), 0600u);
  EXPECT_EQ(file_mode(path.parent_path()), 0700u);
  auto blob = *first->seal("hunter2", "ctx");

  auto second = load_or_create_keyring(path);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->newest_id(), first->newest_id());
  EXPECT_EQ(*second->open(blob, "ctx"), "hunter2");
  // No temporary files left behind.
  EXPECT_EQ(std::distance(fs::directory_iterator(path.parent_path()), fs::directory_iterator()), 1);
}

TEST(KeyFile, CreatedUnderRestrictiveUmaskIsStill0600) {
  TempDir dir;
  mode_t old = ::umask(0277);
  auto k = load_or_create_keyring(dir.path() / "keys");
  ::umask(old);
  ASSERT_TRUE(k) << k.error().message;
  EXPECT_EQ(file_mode(dir.path() / "keys"), 0600u);
}

TEST(KeyFile, ConcurrentFirstStartAgreesOnOneKey) {
  TempDir dir;
  auto path = dir.path() / "keys";
  std::vector<std::string> ids(4);
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      auto k = load_or_create_keyring(path);
      if (k) ids[i] = k->newest_id();
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& id : ids) EXPECT_EQ(id, ids[0]);
  EXPECT_FALSE(ids[0].empty());
}

TEST(KeyFile, GroupOrWorldReadableIsRefused) {
  TempDir dir;
  auto path = dir.path() / "keys";
  ASSERT_TRUE(load_or_create_keyring(path));
  for (mode_t mode : {0640, 0604, 0660, 0620}) {
    ASSERT_EQ(::chmod(path.c_str(), mode), 0);
    auto k = load_or_create_keyring(path);
    ASSERT_FALSE(k) << std::oct << mode;
    EXPECT_EQ(k.error().code, ErrorCode::FailedPrecondition);
    EXPECT_NE(k.error().message.find(path.string()), std::string::npos) << k.error().message;
    EXPECT_NE(k.error().message.find("chmod 600"), std::string::npos) << k.error().message;
  }
}

TEST(KeyFile, DirectoryIsNotAKeyFile) {
  TempDir dir;
  auto k = load_or_create_keyring(dir.path());
  ASSERT_FALSE(k);
  EXPECT_EQ(k.error().code, ErrorCode::FailedPrecondition);
}

TEST(KeyFile, MalformedFileIsRefusedWithLineNumber) {
  TempDir dir;
  auto path = dir.path() / "keys";
  const std::string good = "k1 " + std::string(43, 'A') + "=\n";
  struct Case {
    std::string text;
    std::string expect;
  };
  for (const auto& c : std::vector<Case>{
           {"# c\n\n" + good + "k2\n", ":4:"},
           {good + "k2 AAAA\n", ":2:"},                          // too short
           {good + "k2 " + std::string(44, 'A') + "\n", ":2:"},  // bad padding / too long
           {good + "k2 " + std::string(43, 'A') + "= extra\n", ":2:"},
           {good + good, ":2:"},                            // duplicate id
           {"k:1 " + std::string(43, 'A') + "=\n", ":1:"},  // bad id
           {"# only comments\n\n", "contains no keys"},
           {"", "contains no keys"},
           {std::string("\x7f\x45\x4c\x46\x00\x01", 6), ":1:"},
       }) {
    write_file(path, c.text, 0600);
    auto k = load_or_create_keyring(path);
    ASSERT_FALSE(k) << c.text;
    EXPECT_EQ(k.error().code, ErrorCode::FailedPrecondition);
    EXPECT_NE(k.error().message.find(path.string() + (c.expect[0] == ':' ? c.expect : ": " + c.expect)),
              std::string::npos)
        << k.error().message;
  }
}

TEST(KeyFile, AcceptsCommentsWhitespaceAndCrlf) {
  TempDir dir;
  auto path = dir.path() / "keys";
  write_file(path,
             "# keys\r\n  k1\t" + std::string(43, 'A') + "=  \r\n\n# newest\nk2 " + std::string(42, 'B') + "A=", 0600);
  auto k = load_or_create_keyring(path);
  ASSERT_TRUE(k) << k.error().message;
  EXPECT_EQ(k->ids(), (std::vector<std::string>{"k1", "k2"}));
  EXPECT_EQ(k->newest_id(), "k2");
}

TEST(KeyFile, OversizedFileIsRefused) {
  TempDir dir;
  auto path = dir.path() / "keys";
  write_file(path, std::string(kMaxKeyFileBytes + 1, '#'), 0600);
  auto k = load_or_create_keyring(path);
  ASSERT_FALSE(k);
  EXPECT_EQ(k.error().code, ErrorCode::FailedPrecondition);
}

TEST(KeyFile, RotationSealsWithNewKeyAndOldBlobsStillOpen) {
  TempDir dir;
  auto path = dir.path() / "keys";
  auto v1 = load_or_create_keyring(path);
  ASSERT_TRUE(v1);
  auto old_blob = *v1->seal("hunter2", "User/alice/password");
  std::string before = read_file(path);

  auto v2 = add_key(path);
  ASSERT_TRUE(v2) << v2.error().message;
  EXPECT_EQ(v2->size(), 2u);
  EXPECT_NE(v2->newest_id(), v1->newest_id());
  EXPECT_EQ(read_file(path).rfind(before, 0), 0u) << "existing lines and comments are kept";
  EXPECT_EQ(file_mode(path), 0600u);

  auto new_blob = *v2->seal("s3cret", "ctx");
  EXPECT_EQ(new_blob.rfind("v1:" + v2->newest_id() + ":", 0), 0u);
  EXPECT_FALSE(v2->needs_rotation(new_blob));
  EXPECT_TRUE(v2->needs_rotation(old_blob));
  EXPECT_TRUE(v2->needs_rotation("garbage"));
  EXPECT_EQ(*v2->open(old_blob, "User/alice/password"), "hunter2");

  auto moved = v2->reseal(old_blob, "User/alice/password");
  ASSERT_TRUE(moved) << moved.error().message;
  EXPECT_FALSE(v2->needs_rotation(*moved));
  EXPECT_EQ(*v2->open(*moved, "User/alice/password"), "hunter2");
  EXPECT_FALSE(v2->reseal(old_blob, "User/bob/password"));

  // The old keyring cannot read blobs sealed with the new key.
  auto unknown = v1->open(new_blob, "ctx");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::FailedPrecondition);
}

TEST(KeyFile, ConcurrentRotationsLoseNoKey) {
  TempDir dir;
  auto path = dir.path() / "keys";
  ASSERT_TRUE(load_or_create_keyring(path));
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) threads.emplace_back([&] { EXPECT_TRUE(add_key(path)); });
  for (auto& t : threads) t.join();
  auto k = load_keyring(path);
  ASSERT_TRUE(k) << k.error().message;
  EXPECT_EQ(k->size(), 5u);
}

TEST(KeyFile, AddKeyRefusesMalformedOrExposedFile) {
  TempDir dir;
  auto path = dir.path() / "keys";
  write_file(path, "nonsense\n", 0600);
  EXPECT_FALSE(add_key(path));
  EXPECT_EQ(read_file(path), "nonsense\n");
  ASSERT_TRUE(add_key(dir.path() / "fresh"));
  ASSERT_EQ(::chmod((dir.path() / "fresh").c_str(), 0644), 0);
  EXPECT_FALSE(add_key(dir.path() / "fresh"));
}

TEST(KeyFile, LoadKeyringReportsMissingFile) {
  TempDir dir;
  auto k = load_keyring(dir.path() / "missing");
  ASSERT_FALSE(k);
  EXPECT_EQ(k.error().code, ErrorCode::NotFound);
}

}  // namespace
}  // namespace atrium::crypto
