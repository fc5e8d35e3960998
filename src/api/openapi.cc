#include "api/openapi.h"

namespace atrium::api {
namespace {

json::object status_response(const char* description) {
  return {{"description", description},
          {"content", {{"application/json", {{"schema", {{"$ref", "#/components/schemas/Status"}}}}}}}};
}

json::object content_of(json::value schema) { return {{"application/json", {{"schema", std::move(schema)}}}}; }

}  // namespace

json::object build_openapi(const Router& router, const std::vector<const schema::ResourceType*>& types,
                           std::string_view version) {
  schema::OpenApiContext ctx;
  std::map<std::string, json::value, std::less<>> refs;  // plural -> $ref
  for (const auto* t : types) refs[t->info().plural] = t->openapi(ctx);

  json::object paths;
  for (const auto& r : router.routes()) {
    json::object op;
    op["summary"] = r.summary;
    op["operationId"] = r.method + " " + r.pattern;
    json::array params;
    std::string_view p = r.pattern;
    for (std::size_t i = p.find('{'); i != std::string_view::npos; i = p.find('{', i + 1)) {
      auto end = p.find('}', i);
      params.push_back(json::object{{"name", std::string(p.substr(i + 1, end - i - 1))},
                                    {"in", "path"},
                                    {"required", true},
                                    {"schema", {{"type", "string"}}}});
    }
    if (r.verb == "list") {
      for (const char* q : {"page", "limit"}) {
        params.push_back(json::object{{"name", q}, {"in", "query"}, {"schema", {{"type", "integer"}, {"minimum", 1}}}});
      }
      params.push_back(json::object{{"name", "sortBy"},
                                    {"in", "query"},
                                    {"schema", {{"type", "string"}, {"enum", {"name", "creationTimestamp"}}}}});
      params.push_back(json::object{{"name", "ascending"}, {"in", "query"}, {"schema", {{"type", "boolean"}}}});
      params.push_back(json::object{{"name", "name"}, {"in", "query"}, {"schema", {{"type", "string"}}}});
      params.push_back(json::object{{"name", "labelSelector"}, {"in", "query"}, {"schema", {{"type", "string"}}}});
    }
    if (!params.empty()) op["parameters"] = std::move(params);
    json::object responses;
    auto ref = refs.find(r.resource);
    if (ref != refs.end()) {
      if (r.verb == "list") {
        json::object list_schema{
            {"type", "object"},
            {"required", {"items", "total"}},
            {"properties", {{"items", {{"type", "array"}, {"items", ref->second}}}, {"total", {{"type", "integer"}}}}}};
        responses["200"] = json::object{{"description", "A page of objects"}, {"content", content_of(list_schema)}};
      } else if (r.verb == "delete") {
        responses["200"] = status_response("Deleted");
      } else {
        responses[r.verb == "create" ? "201" : "200"] =
            json::object{{"description", "The object"}, {"content", content_of(ref->second)}};
      }
      if (r.verb == "create" || r.verb == "update") {
        op["requestBody"] = json::object{{"required", true}, {"content", content_of(ref->second)}};
      } else if (r.verb == "patch") {
        op["requestBody"] = json::object{
            {"required", true}, {"content", {{"application/merge-patch+json", {{"schema", {{"type", "object"}}}}}}}};
      }
    } else {
      responses["200"] = json::object{{"description", "OK"}};
    }
    for (const auto& [k, v] : r.openapi) op[k] = v;
    responses["default"] = status_response("Error (a Kubernetes-style Status)");
    op["responses"] = std::move(responses);
    if (r.access == Access::Authenticated) op["security"] = json::array{json::object{{"bearer", json::array()}}};
    std::string method = r.method;
    for (auto& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!paths.contains(r.pattern)) paths[r.pattern] = json::object();
    paths[r.pattern].as_object()[method] = std::move(op);
  }

  json::object components = ctx.components();
  components["Status"] = json::object{
      {"type", "object"},
      {"properties",
       {{"kind", {{"type", "string"}}},
        {"apiVersion", {{"type", "string"}}},
        {"status", {{"type", "string"}, {"enum", {"Success", "Failure"}}}},
        {"message", {{"type", "string"}}},
        {"reason", {{"type", "string"}}},
        {"code", {{"type", "integer"}}},
        {"details",
         {{"type", "object"},
          {"properties",
           {{"causes",
             {{"type", "array"},
              {"items",
               {{"type", "object"},
                {"properties", {{"field", {{"type", "string"}}}, {"message", {{"type", "string"}}}}}}}}}}}}}}}};
  return json::object{{"openapi", "3.0.3"},
                      {"info", {{"title", "Atrium API"}, {"version", version}}},
                      {"paths", std::move(paths)},
                      {"components",
                       {{"schemas", std::move(components)},
                        {"securitySchemes", {{"bearer", {{"type", "http"}, {"scheme", "bearer"}}}}}}}};
}

}  // namespace atrium::api
