// The permission templates tenancy contributes (workspaces and projects, tenant.atrium.io), registered by an
// explicit call from server/serve.cc next to iam::register_templates.
#pragma once

#include "iam/templates.h"

namespace atrium::tenancy {

core::Status register_templates(iam::TemplateRegistry& registry);

}  // namespace atrium::tenancy
