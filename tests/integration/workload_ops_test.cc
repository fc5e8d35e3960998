// Scenario journey 3 through the real `atrium` binary against the real local cluster: a developer deploys, scales
// to 3 and back, rolls out a new image, reads the rollout history, rolls back, restarts; applies YAML (a namespace
// other than the project's is refused, as is anything for a viewer); nodes are for cluster roles only. Each test
// uses namespaces unique to it and deletes them; the node is uncordoned and unlabelled afterwards whatever happens.
#include <unistd.h>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <set>

#include "core/clock.h"
#include "core/json.h"
#include "support/atrium_server.h"
#include "support/kube_cluster.h"

namespace atrium {
namespace {

using namespace std::chrono_literals;
using core::json::value;

constexpr const char* kPassword = "Journey-Password-42";

class WorkloadOpsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto c = testing::kube_clusters();
    ASSERT_TRUE(c) << c.error().message;
    clusters_ = *c;
    auto s = testing::AtriumServer::start({.name = "workload-ops"});
    ASSERT_TRUE(s) << s.error().message;
    server_ = std::move(*s);
    admin_ = server_->admin_token();
    auto registered = server_->register_cluster("local", clusters_.local_kubeconfig);
    ASSERT_EQ(registered.status, 201) << registered.body;
    for (const std::string user : {"dev", "outsider"}) ASSERT_EQ(server_->create_user(user, kPassword), 201);
    ASSERT_EQ(server_->create_workspace("merchant-platform", {"local"}).status, 201);
    sandbox_ = project("merchant-sandbox", "operator");
    prod_ = project("merchant-prod", "viewer");
    dev_ = server_->login("dev", kPassword);
    outsider_ = server_->login("outsider", kPassword);
    ASSERT_FALSE(dev_.empty());
    ASSERT_FALSE(outsider_.empty());
  }
  void TearDown() override {
    for (const auto& ns : namespaces_) {
      (void)testing::kubectl(clusters_, clusters_.local_kubeconfig, {"delete", "namespace", ns, "--wait=false"});
    }
    if (touched_node_) {
      (void)testing::kubectl(clusters_, clusters_.local_kubeconfig, {"uncordon", clusters_.node});
      (void)testing::kubectl(clusters_, clusters_.local_kubeconfig, {"label", "node", clusters_.node, label_ + "-"});
      (void)testing::kubectl(clusters_, clusters_.local_kubeconfig,
                             {"taint", "node", clusters_.node, label_ + ":PreferNoSchedule-"});
    }
    server_.reset();
  }

  // A project (and its namespace) unique to this run where dev has `role`.
  std::string project(const std::string& prefix, const std::string& role) {
    std::string name = testing::unique_namespace(prefix);
    namespaces_.push_back(name);
    auto p = server_->create_project("merchant-platform", name, "local");
    EXPECT_EQ(p.status, 201) << p.body;
    auto m = server_->add_project_member("merchant-platform", name, "dev", role);
    EXPECT_EQ(m.status, 201) << m.body;
    return name;
  }
  static std::string ns_path(const std::string& ns, const std::string& rest) {
    return "/api/v1/clusters/local/namespaces/" + ns + "/" + rest;
  }
  net::ClientResponse call(const std::string& token, const std::string& method, const std::string& path,
                           const std::string& body = {}, const std::string& type = "application/json") {
    return server_->call(token, method, path, body, type);
  }
  static value parse(const net::ClientResponse& r) {
    auto v = core::parse_json(r.body);
    EXPECT_TRUE(v) << r.body;
    return v ? *v : value();
  }
  static std::string image_of(const value& deployment) {
    return std::string(deployment.at("spec").at("template").at("spec").at("containers").at(0).at("image").as_string());
  }
  std::string deployment(const std::string& name, int replicas, const std::string& tag) {
    return fmt::format(
        R"({{"metadata":{{"name":"{0}","labels":{{"app":"{0}"}},"annotations":{{"kubernetes.io/change-cause":"deploy {2}"}}}},)"
        R"("spec":{{"replicas":{1},"selector":{{"matchLabels":{{"app":"{0}"}}}},)"
        R"("template":{{"metadata":{{"labels":{{"app":"{0}"}}}},"spec":{{"terminationGracePeriodSeconds":1,)"
        R"("containers":[{{"name":"api","image":"{3}/atrium/busybox:{2}",)"
        R"("command":["/bin/sh","-c","exec httpd -f -p 8080 -h /www"]}}]}}}}}}}})",
        name, replicas, tag, clusters_.registry);
  }

  testing::KubeClusters clusters_;
  std::unique_ptr<testing::AtriumServer> server_;
  std::string admin_, dev_, outsider_, sandbox_, prod_;
  std::vector<std::string> namespaces_;
  bool touched_node_ = false;
  std::string label_ = fmt::format("atrium-ops-test-{}", ::getpid());
};

TEST_F(WorkloadOpsTest, DeployScaleRollOutRollBackRestart) {
  ASSERT_EQ(call(dev_, "POST", ns_path(sandbox_, "deployments"), deployment("payments-api", 1, "1")).status, 201);
  const std::string d = ns_path(sandbox_, "deployments/payments-api");
  ASSERT_TRUE(server_->eventually(dev_, d + "/revisions", [](const value& v) { return v.at("total").as_int64() == 1; }))
      << "the first ReplicaSet is revision 1";

  // Scale to 3 (three ready pods on the real node) and back to 1.
  auto up = call(dev_, "PATCH", d + "/scale", R"({"spec":{"replicas":3}})", "application/merge-patch+json");
  ASSERT_EQ(up.status, 200) << up.body;
  EXPECT_EQ(parse(up).at("kind").as_string(), "Scale");
  EXPECT_EQ(parse(up).at("spec").at("replicas").as_int64(), 3);
  EXPECT_TRUE(server_->eventually(
      dev_, d,
      [](const value& v) {
        auto* ready = v.at("status").as_object().if_contains("readyReplicas");
        return ready && ready->as_int64() == 3;
      },
      180s))
      << "three ready replicas";
  auto too_many = call(dev_, "PATCH", d + "/scale", R"({"spec":{"replicas":10001}})");
  EXPECT_EQ(too_many.status, 422);
  EXPECT_NE(too_many.body.find("spec.replicas"), std::string::npos) << too_many.body;
  auto down = call(dev_, "PUT", d + "/scale", R"({"spec":{"replicas":1}})");
  ASSERT_EQ(down.status, 200) << down.body;
  EXPECT_TRUE(server_->eventually(
      dev_, d + "/scale", [](const value& v) { return v.at("status").at("replicas").as_int64() == 1; }, 120s));

  // A new image: revision 2.
  auto rolled = call(
      dev_, "PATCH", d,
      fmt::format(
          R"({{"metadata":{{"annotations":{{"kubernetes.io/change-cause":"deploy 2"}}}},)"
          R"("spec":{{"template":{{"spec":{{"containers":[{{"name":"api","image":"{}/atrium/busybox:2"}}]}}}}}}}})",
          clusters_.registry),
      "application/strategic-merge-patch+json");
  ASSERT_EQ(rolled.status, 200) << rolled.body;
  value history;
  ASSERT_TRUE(server_->eventually(dev_, d + "/revisions", [&](const value& v) {
    history = v;
    // Both ReplicaSets cached, and the Deployment's new revision too (the caches follow the cluster separately).
    return v.at("total").as_int64() == 2 && v.at("items").at(0).at("current").as_bool();
  })) << core::json::serialize(history);
  EXPECT_EQ(history.at("items").at(0).at("revision").as_int64(), 2);
  EXPECT_TRUE(history.at("items").at(0).at("images").at(0).as_string().ends_with("/atrium/busybox:2"));
  EXPECT_TRUE(history.at("items").at(0).at("current").as_bool());
  EXPECT_EQ(history.at("items").at(0).at("changeCause").as_string(), "deploy 2");
  EXPECT_EQ(history.at("items").at(1).at("revision").as_int64(), 1);
  EXPECT_TRUE(history.at("items").at(1).at("images").at(0).as_string().ends_with("/atrium/busybox:1"));
  EXPECT_EQ(history.at("items").at(1).at("changeCause").as_string(), "deploy 1");

  // Rollback: an unknown revision is named; revision 1 brings image :1 back (and its change cause).
  auto unknown = call(dev_, "POST", d + "/rollback", R"({"revision":42})");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_NE(unknown.body.find("revision 42"), std::string::npos) << unknown.body;
  auto back = call(dev_, "POST", d + "/rollback", R"({"revision":1})");
  ASSERT_EQ(back.status, 200) << back.body;
  EXPECT_TRUE(parse(back).at("changed").as_bool());
  EXPECT_TRUE(image_of(parse(back).at("deployment")).ends_with("/atrium/busybox:1")) << back.body;
  ASSERT_TRUE(server_->eventually(dev_, d + "/revisions", [&](const value& v) {
    history = v;
    auto& items = v.at("items").as_array();
    return !items.empty() && items[0].at("revision").as_int64() == 3 && items[0].at("current").as_bool();
  })) << core::json::serialize(history);
  EXPECT_TRUE(history.at("items").at(0).at("images").at(0).as_string().ends_with("/atrium/busybox:1"));
  EXPECT_EQ(history.at("items").at(0).at("changeCause").as_string(), "deploy 1");
  EXPECT_TRUE(server_->eventually(dev_, d, [](const value& v) { return image_of(v).ends_with("/atrium/busybox:1"); }));

  // Restart: the template's restartedAt annotation is set to now, which makes a new ReplicaSet.
  auto before = std::chrono::system_clock::now() - 2s;
  auto restarted = call(dev_, "POST", d + "/restart");
  ASSERT_EQ(restarted.status, 200) << restarted.body;
  auto annotations = parse(restarted).at("spec").at("template").at("metadata").at("annotations");
  core::TimePoint at;
  ASSERT_TRUE(core::parse_rfc3339(annotations.at("kubectl.kubernetes.io/restartedAt").as_string(), at))
      << restarted.body;
  EXPECT_GE(at, before);
  EXPECT_TRUE(server_->eventually(dev_, d + "/revisions", [](const value& v) {
    return v.at("items").as_array().size() == 3 && v.at("items").at(0).at("revision").as_int64() == 4;
  })) << "the restart rolled out as revision 4";

  // In the production project dev is a viewer: reads work, no operation does.
  auto made =
      testing::kubectl(clusters_, clusters_.local_kubeconfig, {"-n", prod_, "apply"},
                       R"({"apiVersion":"apps/v1","kind":"Deployment",)" + deployment("ledger", 0, "1").substr(1));
  ASSERT_TRUE(made && made->status == 0) << (made ? made->output : made.error().message);
  const std::string p = ns_path(prod_, "deployments/ledger");
  EXPECT_EQ(call(dev_, "GET", p + "/scale").status, 200);
  EXPECT_TRUE(server_->eventually(
      dev_, p + "/revisions", [](const value&) { return true; }, 20s));
  EXPECT_EQ(call(dev_, "PATCH", p + "/scale", R"({"spec":{"replicas":2}})").status, 403);
  EXPECT_EQ(call(dev_, "PUT", p + "/scale", R"({"spec":{"replicas":2}})").status, 403);
  EXPECT_EQ(call(dev_, "POST", p + "/restart").status, 403);
  EXPECT_EQ(call(dev_, "POST", p + "/rollback", R"({"revision":1})").status, 403);
  EXPECT_EQ(call(dev_, "POST", ns_path(prod_, "apply"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n",
                 "application/yaml")
                .status,
            403);
  // An outsider sees nothing of either project.
  EXPECT_EQ(call(outsider_, "GET", d + "/scale").status, 403);
  EXPECT_EQ(call(outsider_, "GET", d + "/revisions").status, 403);
  EXPECT_EQ(call(outsider_, "POST", d + "/restart").status, 403);

  // The audit log holds the developer's operations and the refusals. It is written asynchronously, so poll.
  int rollbacks = 0, denied = 0;
  EXPECT_TRUE(server_->eventually(
      admin_, "/api/v1/audit?user=dev&resource=deployments&limit=1000",
      [&](const value& events) {
        rollbacks = denied = 0;
        for (const auto& e : events.at("items").as_array()) {
          if (e.at("verb").as_string() == "create" && e.at("outcome").as_string() == "success") ++rollbacks;
          if (e.at("outcome").as_string() == "denied") ++denied;
        }
        return rollbacks >= 2 && denied >= 4;
      },
      10s))
      << "the deployment's creation and its rollback (" << rollbacks << "), the refusals (" << denied << ")";
}

TEST_F(WorkloadOpsTest, StatefulSetsAndDaemonSetsRollBackToAControllerRevision) {
  // A StatefulSet and a DaemonSet with image :1, then :2; each rolls back to revision 1 and its pod runs :1 again.
  auto spec = [&](const std::string& name, const std::string& tag, bool stateful) {
    std::string replicas = stateful ? fmt::format(R"("replicas":1,"serviceName":"{}",)", name) : "";
    return fmt::format(
        R"({{"metadata":{{"name":"{0}"}},"spec":{{{3}"selector":{{"matchLabels":{{"app":"{0}"}}}},)"
        R"("template":{{"metadata":{{"labels":{{"app":"{0}"}}}},"spec":{{"terminationGracePeriodSeconds":1,)"
        R"("containers":[{{"name":"main","image":"{2}/atrium/busybox:{1}","command":["/bin/sh","-c","exec sleep 3600"]}}]}}}}}}}})",
        name, tag, clusters_.registry, replicas);
  };
  for (auto [resource, stateful] : {std::pair{"statefulsets", true}, std::pair{"daemonsets", false}}) {
    SCOPED_TRACE(resource);
    const std::string name = stateful ? "ledger-db" : "log-agent";
    const std::string w = ns_path(sandbox_, std::string(resource) + "/" + name);
    auto made = call(dev_, "POST", ns_path(sandbox_, resource), spec(name, "1", stateful));
    ASSERT_EQ(made.status, 201) << made.body;
    ASSERT_TRUE(
        server_->eventually(dev_, w + "/revisions", [](const value& v) { return v.at("total").as_int64() == 1; }));
    auto lonely = call(dev_, "POST", w + "/rollback", "");
    EXPECT_EQ(lonely.status, 404) << lonely.body;
    EXPECT_NE(lonely.body.find("no previous revision"), std::string::npos) << lonely.body;

    auto current = call(dev_, "GET", w);
    ASSERT_EQ(current.status, 200) << current.body;
    auto object = parse(current);
    object.at("spec").at("template").at("spec").at("containers").at(0).as_object()["image"] =
        clusters_.registry + "/atrium/busybox:2";
    auto updated = call(dev_, "PUT", w, core::json::serialize(object));
    ASSERT_EQ(updated.status, 200) << updated.body;
    value history;
    ASSERT_TRUE(server_->eventually(dev_, w + "/revisions", [&](const value& v) {
      history = v;
      return v.at("total").as_int64() == 2;
    })) << core::json::serialize(history);

    EXPECT_EQ(call(outsider_, "POST", w + "/rollback", R"({"revision":1})").status, 403);
    auto unknown = call(dev_, "POST", w + "/rollback", R"({"revision":9})");
    EXPECT_EQ(unknown.status, 404) << unknown.body;
    auto back = call(dev_, "POST", w + "/rollback", R"({"revision":1})");
    ASSERT_EQ(back.status, 200) << back.body;
    auto answer = parse(back);
    EXPECT_TRUE(answer.at("changed").as_bool()) << back.body;
    EXPECT_EQ(answer.at("revision").as_int64(), 1);
    EXPECT_TRUE(image_of(answer.at(stateful ? "statefulSet" : "daemonSet")).ends_with("/atrium/busybox:1"))
        << back.body;
    // The controller records the rollback as a new revision, and the pod is replaced by one running :1.
    EXPECT_TRUE(server_->eventually(dev_, w + "/revisions", [&](const value& v) {
      history = v;
      const auto& items = v.at("items").as_array();
      return !items.empty() && items[0].at("revision").as_int64() == 3 &&
             items[0].at("images").at(0).as_string().ends_with("/atrium/busybox:1");
    })) << core::json::serialize(history);
    EXPECT_TRUE(server_->eventually(
        dev_, ns_path(sandbox_, "pods?labelSelector=app%3D" + name),
        [](const value& v) {
          const auto& items = v.at("items").as_array();
          if (items.size() != 1) return false;
          const auto& pod = items[0];
          const auto* statuses = pod.at("status").as_object().if_contains("containerStatuses");
          return pod.at("spec").at("containers").at(0).at("image").as_string().ends_with("/atrium/busybox:1") &&
                 statuses && statuses->as_array().size() == 1 && statuses->at(0).at("ready").as_bool();
        },
        180s))
        << "a ready pod running :1";
    auto again = call(dev_, "POST", w + "/rollback", R"({"revision":3})");
    ASSERT_EQ(again.status, 200) << again.body;
    EXPECT_FALSE(parse(again).at("changed").as_bool()) << "already at revision 3's template";
  }
  // The viewer in production may not roll anything back.
  EXPECT_EQ(call(dev_, "POST", ns_path(prod_, "statefulsets/x/rollback"), "").status, 403);
}

TEST_F(WorkloadOpsTest, ApplyYamlInTheProjectsNamespaceOnly) {
  const std::string two = R"(apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  mode: sandbox
  retries: "3"
---
apiVersion: v1
kind: Service
metadata:
  name: payments-api
spec:
  selector:
    app: payments-api
  ports:
  - port: 80
    targetPort: 8080
)";
  auto applied = call(dev_, "POST", ns_path(sandbox_, "apply"), two, "application/yaml");
  ASSERT_EQ(applied.status, 200) << applied.body;
  auto v = parse(applied);
  ASSERT_EQ(v.at("total").as_int64(), 2);
  EXPECT_EQ(v.at("items").at(0).at("result").as_string(), "created");
  EXPECT_EQ(v.at("items").at(1).at("kind").as_string(), "Service");
  auto cm = call(dev_, "GET", ns_path(sandbox_, "configmaps/settings"));
  ASSERT_EQ(cm.status, 200) << cm.body;
  EXPECT_EQ(parse(cm).at("data").at("retries").as_string(), "3");
  auto svc =
      testing::kubectl(clusters_, clusters_.local_kubeconfig,
                       {"-n", sandbox_, "get", "service", "payments-api", "-o", "jsonpath={.spec.ports[0].port}"});
  ASSERT_TRUE(svc && svc->status == 0) << (svc ? svc->output : svc.error().message);
  EXPECT_EQ(svc->output, "80");

  // Again with a change: configured, the field manager is Atrium's.
  std::string changed = two;
  changed.replace(changed.find("mode: sandbox"), 13, "mode: staging");
  auto again = call(dev_, "POST", ns_path(sandbox_, "apply"), changed, "application/yaml");
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(parse(again).at("items").at(0).at("result").as_string(), "configured");
  auto managers = testing::kubectl(clusters_, clusters_.local_kubeconfig,
                                   {"-n", sandbox_, "get", "configmap", "settings", "-o",
                                    "jsonpath={.data.mode} {.metadata.managedFields[*].manager}"});
  ASSERT_TRUE(managers && managers->status == 0);
  EXPECT_EQ(managers->output.substr(0, 7), "staging");
  EXPECT_NE(managers->output.find("atrium"), std::string::npos) << managers->output;

  // A document naming another namespace is refused, naming it, and nothing of the request is applied.
  auto other = call(dev_, "POST", ns_path(sandbox_, "apply"),
                    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: first\n---\n"
                    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: sneaky\n  namespace: " +
                        prod_ + "\n",
                    "application/yaml");
  EXPECT_EQ(other.status, 422) << other.body;
  EXPECT_NE(other.body.find("[1].metadata.namespace"), std::string::npos) << other.body;
  EXPECT_NE(other.body.find(prod_), std::string::npos) << other.body;
  EXPECT_EQ(call(dev_, "GET", ns_path(sandbox_, "configmaps/first")).status, 404);
  auto ns_kind = call(dev_, "POST", ns_path(sandbox_, "apply"),
                      "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n", "application/yaml");
  EXPECT_EQ(ns_kind.status, 422) << ns_kind.body;
  // The operator may not change the project's quota by YAML either.
  EXPECT_EQ(
      call(dev_, "POST", ns_path(sandbox_, "apply"),
           "apiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: atrium-quota\nspec:\n  hard:\n    pods: \"1000\"\n",
           "application/yaml")
          .status,
      403);

  // The cluster's own validation message comes back for the document it rejects.
  auto invalid = call(dev_, "POST", ns_path(sandbox_, "apply"),
                      "apiVersion: v1\nkind: Service\nmetadata:\n  name: broken\nspec:\n  ports:\n  - port: 0\n",
                      "application/yaml");
  EXPECT_EQ(invalid.status, 422) << invalid.body;
  EXPECT_NE(invalid.body.find("65535"), std::string::npos) << invalid.body;
  EXPECT_EQ(parse(invalid).at("items").at(0).at("result").as_string(), "failed");

  EXPECT_EQ(call(dev_, "POST", ns_path(prod_, "apply"), two, "application/yaml").status, 403) << "a viewer";
  EXPECT_EQ(call(outsider_, "POST", ns_path(sandbox_, "apply"), two, "application/yaml").status, 403);
  EXPECT_EQ(call(dev_, "POST", ns_path("kube-system", "apply"), two, "application/yaml").status, 403);

  auto audit = call(admin_, "GET", "/api/v1/audit?user=dev&resource=configmaps&verb=apply");
  ASSERT_EQ(audit.status, 200) << audit.body;
  EXPECT_GE(parse(audit).at("total").as_int64(), 2) << audit.body;
}

TEST_F(WorkloadOpsTest, ClusterAdminsManageNodesDevelopersCannot) {
  const std::string nodes = "/api/v1/clusters/local/nodes";
  const std::string node = nodes + "/" + clusters_.node;
  // A cluster admin, given the role through the cluster's members (a developer cannot give it).
  ASSERT_EQ(server_->create_user("ops", kPassword), 201);
  EXPECT_EQ(call(dev_, "POST", "/api/v1/clusters/local/members", R"({"user":"dev","role":"cluster-admin"})").status,
            403);
  auto member = call(admin_, "POST", "/api/v1/clusters/local/members", R"({"user":"ops","role":"cluster-admin"})");
  ASSERT_EQ(member.status, 201) << member.body;
  EXPECT_EQ(call(admin_, "POST", "/api/v1/clusters/nowhere/members", R"({"user":"ops","role":"cluster-admin"})").status,
            404);
  const std::string ops = server_->login("ops", kPassword);
  ASSERT_FALSE(ops.empty());
  auto list = call(ops, "GET", nodes);
  ASSERT_EQ(list.status, 200) << list.body;
  bool found = false;
  const auto listed = parse(list);
  for (const auto& n : listed.at("items").as_array()) {
    found = found || n.at("metadata").at("name").as_string() == clusters_.node;
  }
  EXPECT_TRUE(found) << list.body;
  // The cluster's namespaces: the cluster admin sees the projects' (labelled) and the rest; a developer nothing.
  auto namespaces =
      call(ops, "GET", "/api/v1/clusters/local/namespaces?labelSelector=atrium.io%2Fworkspace%3Dmerchant-platform");
  ASSERT_EQ(namespaces.status, 200) << namespaces.body;
  std::set<std::string> listed_namespaces;
  const auto namespace_list = parse(namespaces);
  for (const auto& n : namespace_list.at("items").as_array()) {
    listed_namespaces.insert(std::string(n.at("metadata").at("name").as_string()));
  }
  EXPECT_TRUE(listed_namespaces.contains(sandbox_) && listed_namespaces.contains(prod_)) << namespaces.body;
  EXPECT_EQ(call(dev_, "GET", "/api/v1/clusters/local/namespaces").status, 403);
  for (const auto& token : {dev_, outsider_}) {
    EXPECT_EQ(call(token, "GET", nodes).status, 403);
    EXPECT_EQ(call(token, "POST", node + "/cordon").status, 403);
    EXPECT_EQ(call(token, "POST", node + "/drain").status, 403);
    EXPECT_EQ(call(token, "PATCH", node + "/labels", fmt::format(R"({{"{}":"x"}})", label_)).status, 403);
    EXPECT_EQ(call(token, "PATCH", node + "/taints", "[]").status, 403);
  }

  // Cordon and uncordon at once (other tests share the node).
  touched_node_ = true;
  auto cordoned = call(ops, "POST", node + "/cordon");
  auto unschedulable = testing::kubectl(clusters_, clusters_.local_kubeconfig,
                                        {"get", "node", clusters_.node, "-o", "jsonpath={.spec.unschedulable}"});
  auto uncordoned = call(ops, "POST", node + "/uncordon");
  ASSERT_EQ(cordoned.status, 200) << cordoned.body;
  EXPECT_TRUE(parse(cordoned).at("spec").at("unschedulable").as_bool());
  ASSERT_TRUE(unschedulable && unschedulable->status == 0);
  EXPECT_EQ(unschedulable->output, "true");
  ASSERT_EQ(uncordoned.status, 200) << uncordoned.body;
  EXPECT_FALSE(parse(uncordoned).at("spec").as_object().contains("unschedulable"));

  // Labels: a merge patch; null removes.
  auto labelled = call(ops, "PATCH", node + "/labels", fmt::format(R"({{"{}":"yes"}})", label_));
  ASSERT_EQ(labelled.status, 200) << labelled.body;
  EXPECT_EQ(parse(labelled).at("metadata").at("labels").at(label_).as_string(), "yes");
  EXPECT_TRUE(parse(labelled).at("metadata").at("labels").as_object().contains("kubernetes.io/hostname"))
      << "other labels stay";
  EXPECT_EQ(call(ops, "PATCH", node + "/labels", R"({"bad key":"x"})").status, 422);
  auto unlabelled = call(ops, "PATCH", node + "/labels", fmt::format(R"({{"{}":null}})", label_));
  ASSERT_EQ(unlabelled.status, 200) << unlabelled.body;
  EXPECT_FALSE(parse(unlabelled).at("metadata").at("labels").as_object().contains(label_));

  // Taints replace the list: add a harmless preference next to what is there, then put the list back.
  auto current = call(ops, "GET", node);
  ASSERT_EQ(current.status, 200);
  auto spec = parse(current).at("spec").as_object();
  core::json::array original = spec.contains("taints") ? spec.at("taints").as_array() : core::json::array();
  core::json::array with = original;
  with.push_back(core::json::object{{"key", label_}, {"effect", "PreferNoSchedule"}});
  auto tainted = call(ops, "PATCH", node + "/taints", core::json::serialize(with));
  ASSERT_EQ(tainted.status, 200) << tainted.body;
  EXPECT_NE(tainted.body.find(label_), std::string::npos);
  EXPECT_EQ(call(ops, "PATCH", node + "/taints", R"([{"key":"x","effect":"Sometimes"}])").status, 422);
  auto restored = call(ops, "PATCH", node + "/taints", core::json::serialize(original));
  ASSERT_EQ(restored.status, 200) << restored.body;
  EXPECT_EQ(restored.body.find(label_), std::string::npos);

  // A real drain of the (only) node: a bare pod of this test is evicted; the node is cordoned, then uncordoned.
  // Pods of other tests' namespaces still being deleted are awaited at most 20 s (the test client gives up at 30).
  // Other tests' pods on the node would be evicted too: ctest runs the integration tests one at a time.
  const std::string pod = fmt::format(
      R"({{"metadata":{{"name":"drain-me"}},"spec":{{"terminationGracePeriodSeconds":1,"containers":[{{"name":"c",)"
      R"("image":"{}/atrium/busybox:1","command":["sleep","3600"]}}]}}}})",
      clusters_.registry);
  ASSERT_EQ(call(dev_, "POST", ns_path(sandbox_, "pods"), pod).status, 201);
  ASSERT_TRUE(server_->eventually(dev_, ns_path(sandbox_, "pods/drain-me"), [](const value& v) {
    const auto* phase = v.at("status").as_object().if_contains("phase");
    return phase && phase->is_string() && phase->as_string() == "Running";
  }));
  auto drained = call(ops, "POST", node + "/drain?timeoutSeconds=20&gracePeriodSeconds=1");
  auto after = testing::kubectl(clusters_, clusters_.local_kubeconfig,
                                {"get", "node", clusters_.node, "-o", "jsonpath={.spec.unschedulable}"});
  auto back = call(ops, "POST", node + "/uncordon");
  ASSERT_EQ(drained.status, 200) << drained.body;
  EXPECT_NE(drained.body.find("drain-me"), std::string::npos) << drained.body;
  ASSERT_TRUE(after && after->status == 0);
  EXPECT_EQ(after->output, "true");
  EXPECT_EQ(back.status, 200) << back.body;
  auto gone = testing::kubectl(clusters_, clusters_.local_kubeconfig, {"-n", sandbox_, "get", "pod", "drain-me"});
  ASSERT_TRUE(gone);
  EXPECT_NE(gone->status, 0) << "the evicted pod is gone: " << gone->output;
}

}  // namespace
}  // namespace atrium
