// add_resource_commands(): list/get/create/delete for one resource type, declared by a ResourceCommandSpec.
#include <cassert>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/commands.h"

namespace atrium::cli {

namespace {

struct ResourceState {
  ResourceCommandSpec spec;
  std::vector<std::string> param_names;  // "{name}" placeholders in spec.path, in order
  std::map<std::string, std::string, std::less<>> params;
  std::string name;  // NAME of get/delete
  std::int64_t limit = 0;
  std::int64_t page = 0;
  std::string selector;
};

std::vector<std::string> placeholders(std::string_view path) {
  std::vector<std::string> names;
  for (std::size_t i = path.find('{'); i != std::string_view::npos; i = path.find('{', i + 1)) {
    auto close = path.find('}', i);
    assert(close != std::string_view::npos && close > i + 1 && "unbalanced {} in a ResourceCommandSpec path");
    names.emplace_back(path.substr(i + 1, close - i - 1));
  }
  return names;
}

// The collection path with every placeholder replaced by its encoded value.
core::Result<std::string> collection_path(const ResourceState& state) {
  std::string out;
  std::string_view rest = state.spec.path;
  while (!rest.empty()) {
    auto open = rest.find('{');
    out.append(rest.substr(0, open));
    if (open == std::string_view::npos) break;
    auto close = rest.find('}', open);
    std::string_view name = rest.substr(open + 1, close - open - 1);
    auto it = state.params.find(name);
    if (it == state.params.end() || it->second.empty()) {
      return core::fail(core::ErrorCode::InvalidArgument, fmt::format("--{} is required and must not be empty", name));
    }
    out += encode_path_segment(it->second);
    rest = rest.substr(close + 1);
  }
  return out;
}

core::Result<std::string> item_path(const ResourceState& state) {
  if (state.name.empty()) return core::fail(core::ErrorCode::InvalidArgument, "NAME must not be empty");
  auto collection = collection_path(state);
  if (!collection) return collection;
  return *collection + "/" + encode_path_segment(state.name);
}

// The text of a file, or of standard input for "-"; at most 4 MiB.
core::Result<std::string> read_document(const std::string& name) {
  std::stringstream ss;
  if (name == "-") {
    ss << std::cin.rdbuf();
  } else {
    std::ifstream in(name, std::ios::binary);
    if (!in) return core::fail(core::ErrorCode::NotFound, fmt::format("cannot read {}", name));
    ss << in.rdbuf();
  }
  std::string text = ss.str();
  if (text.size() > (4u << 20))
    return core::fail(core::ErrorCode::InvalidArgument, "the document is larger than 4 MiB");
  return text;
}

core::Status list_items(const CliContext& ctx, const ResourceState& state) {
  auto path = collection_path(state);
  if (!path) return tl::unexpected(path.error());
  std::string query;
  auto add = [&](std::string_view key, std::string_view value) {
    query += query.empty() ? '?' : '&';
    query += key;
    query += '=';
    query += encode_path_segment(value);
  };
  if (state.limit > 0) add("limit", std::to_string(state.limit));
  if (state.page > 0) add("page", std::to_string(state.page));
  if (!state.selector.empty()) add("labelSelector", state.selector);
  auto client = connect(ctx);
  if (!client) return tl::unexpected(client.error());
  auto v = (*client)->get(*path + query);
  if (!v) return tl::unexpected(v.error());
  return print_response(ctx, *v, state.spec.columns);
}

core::Status show_item(const CliContext& ctx, const ResourceState& state) {
  auto path = item_path(state);
  if (!path) return tl::unexpected(path.error());
  auto client = connect(ctx);
  if (!client) return tl::unexpected(client.error());
  auto v = (*client)->get(*path);
  if (!v) return tl::unexpected(v.error());
  return print_response(ctx, *v, state.spec.columns);
}

core::Status delete_item(const CliContext& ctx, const ResourceState& state) {
  auto path = item_path(state);
  if (!path) return tl::unexpected(path.error());
  auto client = connect(ctx);
  if (!client) return tl::unexpected(client.error());
  auto v = (*client)->del(*path);
  if (!v) return tl::unexpected(v.error());
  ctx.out << state.spec.name << " \"" << printable(state.name) << "\" deleted\n";
  return {};
}

}  // namespace

CLI::App* add_resource_commands(CLI::App& app, CliContext& ctx, ResourceCommandSpec spec) {
  auto state = std::make_shared<ResourceState>();
  state->spec = std::move(spec);
  state->param_names = placeholders(state->spec.path);
  const auto& s = state->spec;

  auto* cmd = app.add_subcommand(s.name, s.description.empty() ? "Manage " + s.name : s.description);
  for (const auto& alias : s.aliases) cmd->alias(alias);
  cmd->require_subcommand(1);
  for (const auto& param : state->param_names) {
    cmd->add_option("--" + param, state->params[param], fmt::format("The {} the {} belong to", param, s.name))
        ->required();
  }

  auto* list_cmd = cmd->add_subcommand("list", "List " + s.name);
  list_cmd->add_option("--limit", state->limit, "Items per page")->check(CLI::Range(1, 1000));
  list_cmd->add_option("--page", state->page, "Page number, from 1")->check(CLI::PositiveNumber);
  list_cmd->add_option("-l,--selector", state->selector, "Label selector, e.g. app=api,tier!=db");
  list_cmd->callback([&ctx, state] { run_command(ctx, [&] { return list_items(ctx, *state); }); });

  auto* get_cmd = cmd->add_subcommand("get", "Show one of the " + s.name);
  get_cmd->add_option("NAME", state->name)->required();
  get_cmd->callback([&ctx, state] { run_command(ctx, [&] { return show_item(ctx, *state); }); });

  auto body = std::make_shared<std::string>();
  auto* create_cmd = cmd->add_subcommand("create", "Create one of the " + s.name + " from a JSON document");
  create_cmd->add_option("-f,--filename", *body, "JSON file with the object, or - for standard input")->required();
  create_cmd->callback([&ctx, state, body] {
    run_command(ctx, [&]() -> core::Status {
      auto text = read_document(*body);
      if (!text) return tl::unexpected(text.error());
      auto doc = core::parse_json(*text);
      if (!doc) return tl::unexpected(doc.error().with_context(*body == "-" ? "standard input" : *body));
      auto path = collection_path(*state);
      if (!path) return tl::unexpected(path.error());
      auto client = connect(ctx);
      if (!client) return tl::unexpected(client.error());
      auto created = (*client)->post(*path, *doc);
      if (!created) return tl::unexpected(created.error());
      return print_response(ctx, *created, state->spec.columns);
    });
  });

  auto* delete_cmd = cmd->add_subcommand("delete", "Delete one of the " + s.name);
  delete_cmd->add_option("NAME", state->name)->required();
  delete_cmd->callback([&ctx, state] { run_command(ctx, [&] { return delete_item(ctx, *state); }); });
  return cmd;
}

}  // namespace atrium::cli
