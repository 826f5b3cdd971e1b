// load_config: defaults, GATEHOUSE_* environment overrides, config file, command-line
// overrides and validation problems. Every test starts from a clean GATEHOUSE_* environment
// and restores the previous one.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/config.hpp"

namespace gatehouse {
namespace {

bool has_problem(const ConfigLoad& l, const std::string& needle) {
  for (auto& p : l.problems)
    if (p.find(needle) != std::string::npos) return true;
  return false;
}
std::string all_problems(const ConfigLoad& l) {
  std::string s;
  for (auto& p : l.problems) s += "\n  " + p;
  return s;
}

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::vector<std::string> names{"GATEHOUSE_CONFIG"};
    for (auto& [key, env] : config_keys()) names.push_back(env);
    for (auto& n : names) {
      const char* v = std::getenv(n.c_str());
      saved_[n] = v ? std::optional<std::string>(v) : std::nullopt;
      unsetenv(n.c_str());
    }
  }
  void TearDown() override {
    for (auto& [n, v] : saved_) {
      if (v) setenv(n.c_str(), v->c_str(), 1);
      else unsetenv(n.c_str());
    }
    for (auto& f : files_) std::filesystem::remove(f);
  }
  void env(const char* name, const char* value) {
    ASSERT_TRUE(saved_.count(name)) << name << " is not a recognised variable";
    setenv(name, value, 1);
  }
  std::string write_file(const std::string& text) {
    auto p = std::filesystem::temp_directory_path() /
             ("gatehouse-config-test-" + std::to_string(::getpid()) + "-" +
              std::to_string(files_.size()) + ".ini");
    std::ofstream(p) << text;
    files_.push_back(p.string());
    return p.string();
  }

  std::map<std::string, std::optional<std::string>> saved_;
  std::vector<std::string> files_;
};

TEST_F(ConfigTest, Defaults) {
  auto l = load_config({});
  EXPECT_TRUE(l.problems.empty()) << all_problems(l);
  const Config& c = l.config;
  EXPECT_EQ(c.listen, "127.0.0.1:8080");
  EXPECT_EQ(c.data_dir, "./data");
  EXPECT_EQ(c.database_url, "");
  EXPECT_EQ(c.effective_database_url(), "sqlite://./data/gatehouse.db");
  EXPECT_EQ(c.issuer, "http://127.0.0.1:8080");
  EXPECT_EQ(c.master_key_file, "./data/master.key");
  EXPECT_GE(c.io_threads, 1) << "0 means one per core";
  EXPECT_GE(c.hash_threads, 1);
  EXPECT_EQ(c.db_threads, 4);
  EXPECT_EQ(c.max_body_bytes, 64u * 1024);
  EXPECT_EQ(c.argon2_memory_kib, 19u * 1024);
  EXPECT_EQ(c.argon2_iterations, 2u);
  EXPECT_EQ(c.token_alg, "ES256");
  EXPECT_EQ(c.access_token_ttl, 900);
  EXPECT_EQ(c.refresh_token_ttl, 30 * 24 * 3600);
  EXPECT_TRUE(c.rate_limit_enabled);
  EXPECT_EQ(c.rl_login_ip.burst, 60);
  EXPECT_EQ(c.rl_login_ip.period_seconds, 60);
  EXPECT_EQ(c.rl_forgot_account.burst, 3);
  EXPECT_EQ(c.rl_forgot_account.period_seconds, 900);
  EXPECT_FALSE(c.trust_proxy);
  EXPECT_TRUE(c.cors_origins.empty());
  EXPECT_EQ(c.smtp.tls, "starttls");
  EXPECT_EQ(c.smtp.port, 587);
  EXPECT_TRUE(c.master_key.empty());
  EXPECT_TRUE(c.config_file.empty());
}

TEST_F(ConfigTest, EnvironmentOverrides) {
  env("GATEHOUSE_LISTEN", "0.0.0.0:9000");
  env("GATEHOUSE_DATA_DIR", "/var/lib/gatehouse");
  env("GATEHOUSE_DB_THREADS", "8");
  env("GATEHOUSE_IO_THREADS", "3");
  env("GATEHOUSE_TRUST_PROXY", "yes");
  env("GATEHOUSE_ACCESS_LOG", "OFF");
  env("GATEHOUSE_CORS_ORIGINS", "https://a.example, https://b.example,,https://c.example");
  env("GATEHOUSE_RATE_LIMIT_LOGIN_IP", "5/10");
  env("GATEHOUSE_RATE_LIMIT_ENABLED", "false");
  env("GATEHOUSE_ISSUER", "https://id.example.com//");
  env("GATEHOUSE_TOKEN_ALG", "EdDSA");
  env("GATEHOUSE_ARGON2_MEMORY_KIB", "1024");
  env("GATEHOUSE_MAX_BODY_BYTES", "1048576");
  env("GATEHOUSE_SMTP_PORT", "2525");
  env("GATEHOUSE_SMTP_TLS", "none");
  auto l = load_config({});
  EXPECT_TRUE(l.problems.empty()) << all_problems(l);
  const Config& c = l.config;
  EXPECT_EQ(c.listen, "0.0.0.0:9000");
  EXPECT_EQ(c.data_dir, "/var/lib/gatehouse");
  EXPECT_EQ(c.effective_database_url(), "sqlite:///var/lib/gatehouse/gatehouse.db");
  EXPECT_EQ(c.master_key_file, "/var/lib/gatehouse/master.key");
  EXPECT_EQ(c.db_threads, 8);
  EXPECT_EQ(c.io_threads, 3);
  EXPECT_TRUE(c.trust_proxy);
  EXPECT_FALSE(c.access_log);
  EXPECT_EQ(c.cors_origins,
            (std::vector<std::string>{"https://a.example", "https://b.example", "https://c.example"}));
  EXPECT_EQ(c.rl_login_ip.burst, 5);
  EXPECT_EQ(c.rl_login_ip.period_seconds, 10);
  EXPECT_EQ(c.rl_register_ip.burst, 30) << "other rules keep their defaults";
  EXPECT_FALSE(c.rate_limit_enabled);
  EXPECT_EQ(c.issuer, "https://id.example.com") << "trailing slashes are trimmed";
  EXPECT_EQ(c.token_alg, "EdDSA");
  EXPECT_EQ(c.argon2_memory_kib, 1024u);
  EXPECT_EQ(c.max_body_bytes, 1048576u);
  EXPECT_EQ(c.smtp.port, 2525);
  EXPECT_EQ(c.smtp.tls, "none");
}

TEST_F(ConfigTest, IssuerDefaultsToListenAddress) {
  env("GATEHOUSE_LISTEN", "10.1.2.3:7000");
  auto l = load_config({});
  EXPECT_EQ(l.config.issuer, "http://10.1.2.3:7000");
}

TEST_F(ConfigTest, ExplicitDatabaseUrlWins) {
  env("GATEHOUSE_DATABASE_URL", "postgresql://gh@db/gatehouse");
  auto l = load_config({});
  EXPECT_TRUE(l.problems.empty()) << all_problems(l);
  EXPECT_EQ(l.config.effective_database_url(), "postgresql://gh@db/gatehouse");
}

TEST_F(ConfigTest, CommandLineOverridesBeatEnvironment) {
  env("GATEHOUSE_LISTEN", "0.0.0.0:9000");
  env("GATEHOUSE_DB_THREADS", "8");
  auto l = load_config({{"listen", "127.0.0.1:1234"}});
  EXPECT_TRUE(l.problems.empty()) << all_problems(l);
  EXPECT_EQ(l.config.listen, "127.0.0.1:1234");
  EXPECT_EQ(l.config.db_threads, 8);
}

TEST_F(ConfigTest, ConfigFileThenEnvironment) {
  std::string file = write_file(
      "listen = 127.0.0.1:7001\n"
      "db_threads = 6\n"
      "[tokens]\n"
      "token_alg = RS256\n"
      "access_token_ttl = 300\n");
  env("GATEHOUSE_DB_THREADS", "7");
  auto l = load_config({{"config", file}});
  EXPECT_TRUE(l.problems.empty()) << all_problems(l);
  EXPECT_EQ(l.config.config_file, file);
  EXPECT_EQ(l.config.listen, "127.0.0.1:7001");
  EXPECT_EQ(l.config.db_threads, 7) << "environment beats the file";
  EXPECT_EQ(l.config.token_alg, "RS256");
  EXPECT_EQ(l.config.access_token_ttl, 300);

  // GATEHOUSE_CONFIG names the file too.
  env("GATEHOUSE_CONFIG", file.c_str());
  auto l2 = load_config({});
  EXPECT_EQ(l2.config.listen, "127.0.0.1:7001");
}

TEST_F(ConfigTest, ConfigFileProblemsAreReported) {
  auto missing = load_config({{"config", "/nonexistent/gatehouse-test.ini"}});
  EXPECT_TRUE(has_problem(missing, "/nonexistent/gatehouse-test.ini")) << all_problems(missing);

  std::string file = write_file("no_such_setting = 1\ndb_threads = many\n");
  auto l = load_config({{"config", file}});
  EXPECT_TRUE(has_problem(l, "unknown setting 'no_such_setting'")) << all_problems(l);
  EXPECT_TRUE(has_problem(l, "(db_threads)")) << all_problems(l);
}

TEST_F(ConfigTest, InvalidValuesAreAllReported) {
  env("GATEHOUSE_DB_THREADS", "abc");
  env("GATEHOUSE_HASH_QUEUE_LIMIT", "-1");
  env("GATEHOUSE_ACCESS_TOKEN_TTL", "5");
  env("GATEHOUSE_TRUST_PROXY", "maybe");
  env("GATEHOUSE_RATE_LIMIT_LOGIN_IP", "10");
  env("GATEHOUSE_RATE_LIMIT_REGISTER_IP", "0/60");
  env("GATEHOUSE_RATE_LIMIT_FORGOT_IP", "5/0");
  env("GATEHOUSE_TOKEN_ALG", "HS256");
  env("GATEHOUSE_SMTP_TLS", "ssl");
  env("GATEHOUSE_LISTEN", "localhost");
  env("GATEHOUSE_DATABASE_URL", "mysql://db/gatehouse");
  env("GATEHOUSE_ARGON2_MEMORY_KIB", "-1");
  auto l = load_config({});
  EXPECT_TRUE(has_problem(l, "GATEHOUSE_DB_THREADS (db_threads)")) << all_problems(l);
  EXPECT_TRUE(has_problem(l, "GATEHOUSE_HASH_QUEUE_LIMIT (hash_queue_limit)"));
  EXPECT_TRUE(has_problem(l, "GATEHOUSE_ACCESS_TOKEN_TTL (access_token_ttl)"));
  EXPECT_TRUE(has_problem(l, "GATEHOUSE_TRUST_PROXY (trust_proxy)"));
  EXPECT_TRUE(has_problem(l, "GATEHOUSE_RATE_LIMIT_LOGIN_IP (rate_limit_login_ip)"));
  EXPECT_TRUE(has_problem(l, "GATEHOUSE_RATE_LIMIT_REGISTER_IP (rate_limit_register_ip)"));
  EXPECT_TRUE(has_problem(l, "GATEHOUSE_RATE_LIMIT_FORGOT_IP (rate_limit_forgot_ip)"));
  EXPECT_TRUE(has_problem(l, "token_alg"));
  EXPECT_TRUE(has_problem(l, "smtp_tls"));
  EXPECT_TRUE(has_problem(l, "listen"));
  EXPECT_TRUE(has_problem(l, "database_url"));
  EXPECT_TRUE(has_problem(l, "GATEHOUSE_ARGON2_MEMORY_KIB (argon2_memory_kib)"));
  EXPECT_EQ(l.problems.size(), 12u) << all_problems(l);
  // Invalid values leave the defaults in place.
  EXPECT_EQ(l.config.db_threads, 4);
  EXPECT_EQ(l.config.rl_login_ip.burst, 60);
}

TEST_F(ConfigTest, IntegersMustBeWholeAndInRange) {
  for (const char* bad : {"", " 8", "8 ", "8x", "0x10", "1e3", "3.5", "+4", "257", "0"}) {
    env("GATEHOUSE_DB_THREADS", bad);
    auto l = load_config({});
    EXPECT_TRUE(has_problem(l, "(db_threads)")) << "'" << bad << "'" << all_problems(l);
  }
  env("GATEHOUSE_DB_THREADS", "256");
  EXPECT_TRUE(load_config({}).problems.empty());
}

TEST_F(ConfigTest, PasswordLengthBoundsMustBeConsistent) {
  env("GATEHOUSE_PASSWORD_MIN_LENGTH", "64");
  env("GATEHOUSE_PASSWORD_MAX_LENGTH", "32");
  auto l = load_config({});
  EXPECT_TRUE(has_problem(l, "password_min_length")) << all_problems(l);
}

TEST_F(ConfigTest, UnknownOverrideIsReported) {
  auto l = load_config({{"no_such_flag", "1"}});
  EXPECT_TRUE(has_problem(l, "--no_such_flag: unknown setting 'no_such_flag'")) << all_problems(l);
}

TEST_F(ConfigTest, ConfigKeysListEnvironmentNames) {
  auto keys = config_keys();
  std::map<std::string, std::string> m(keys.begin(), keys.end());
  EXPECT_EQ(m.at("db_threads"), "GATEHOUSE_DB_THREADS");
  EXPECT_EQ(m.at("rate_limit_login_ip"), "GATEHOUSE_RATE_LIMIT_LOGIN_IP");
  EXPECT_EQ(m.at("mail_from"), "GATEHOUSE_MAIL_FROM");
  EXPECT_EQ(m.size(), keys.size()) << "no duplicate keys";
  for (auto& [k, e] : keys) EXPECT_EQ(e.rfind("GATEHOUSE_", 0), 0u) << k;
}


// ---- hardening: values that must be refused ----

// set_rule uses std::stod, which ignores trailing junk and accepts "nan"/"inf": "nan/60"
// makes the limiter refuse every request, "inf/60" disables it, "10/inf" never refills.
TEST_F(ConfigTest, RateRulesMustBeFiniteNumbersWithoutJunk) {
  for (const char* bad : {"nan/60", "inf/60", "10/inf", "10/nan", "10abc/60", "10/60xyz"}) {
    env("GATEHOUSE_RATE_LIMIT_LOGIN_IP", bad);
    auto l = load_config({});
    EXPECT_TRUE(has_problem(l, "(rate_limit_login_ip)")) << bad << all_problems(l);
  }
}

// log_level is stored unchecked; spdlog::level::from_str maps an unknown name to "off",
// so a typo silently disables all logging.
TEST_F(ConfigTest, UnknownLogLevelIsReported) {
  env("GATEHOUSE_LOG_LEVEL", "verbose");
  auto l = load_config({});
  EXPECT_TRUE(has_problem(l, "log_level")) << all_problems(l);
}

}  // namespace
}  // namespace gatehouse
