// The upload page served at GET /: server/page.html, compiled in (cmake/embed_page.cmake).
#pragma once

#include <string_view>

namespace whatcar::server {

std::string_view page_html();

}  // namespace whatcar::server
