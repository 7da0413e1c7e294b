package dev.parley.edge;

import java.util.List;

/**
 * Every route the node serves, as {@code METHOD /path/{param}}: the list kept beside the route tree (a Pekko route
 * cannot be walked). {@code OpenApiCoverageTest} holds it against three things: the OpenAPI document (each entry
 * documented, nothing documented that is not here), the running server (each entry is routed: it never gets the
 * router's own "no such resource" or "method not allowed"), and the route classes' sources (every literal path
 * segment they match appears here). Add a route: add it here and to an OpenAPI fragment.
 */
public final class RouteCatalog {

  private RouteCatalog() {}

  public static final List<String> ENDPOINTS =
      List.of(
          // Accounts and sign-in (openapi.json)
          "POST /api/auth/login",
          "POST /api/auth/login/2fa",
          "POST /api/auth/renew",
          "POST /api/auth/password",
          "GET /api/auth/me",
          "POST /api/auth/2fa/enrol",
          "POST /api/auth/2fa/confirm",
          "POST /api/auth/2fa/disable",
          "GET /api/sites",
          "POST /api/sites",
          "GET /api/sites/{siteId}",
          "PATCH /api/sites/{siteId}",
          "GET /api/sites/{siteId}/accounts",
          "POST /api/sites/{siteId}/accounts",
          "GET /api/sites/{siteId}/accounts/{accountId}",
          "PATCH /api/sites/{siteId}/accounts/{accountId}",
          "DELETE /api/sites/{siteId}/accounts/{accountId}",
          "POST /api/sites/{siteId}/accounts/{accountId}/reset-password",
          "POST /api/sites/{siteId}/accounts/{accountId}/reset-2fa",
          "GET /api/sites/{siteId}/routing",
          "PUT /api/sites/{siteId}/routing",
          "GET /api/openapi.json",
          // Site configuration (openapi/platform.json)
          "GET /api/sites/{siteId}/quick-replies",
          "POST /api/sites/{siteId}/quick-replies",
          "DELETE /api/sites/{siteId}/quick-replies/{replyId}",
          "GET /api/sites/{siteId}/widget",
          "PATCH /api/sites/{siteId}/widget",
          "POST /api/sites/{siteId}/identity-secret",
          // Visitors: automatic invitations, the team's mail (openapi/visitors.json)
          "GET /api/sites/{siteId}/invitation-rules",
          "PUT /api/sites/{siteId}/invitation-rules",
          "GET /api/sites/{siteId}/team-email",
          "PUT /api/sites/{siteId}/team-email",
          // Privacy (openapi/privacy.json)
          "DELETE /api/sites/{siteId}/visitors/{visitorId}",
          "GET /api/sites/{siteId}/erasures/{jobId}",
          "GET /api/sites/{siteId}/retention",
          "PUT /api/sites/{siteId}/retention",
          "GET /api/sites/{siteId}/audit",
          // History (openapi/history.json)
          "GET /api/sites/{siteId}/conversations",
          "GET /api/sites/{siteId}/conversations/{conversationId}",
          "GET /api/sites/{siteId}/conversations/{conversationId}/transcript",
          "GET /api/sites/{siteId}/conversations/{conversationId}/transcript.txt",
          "GET /api/sites/{siteId}/conversations/{conversationId}/transcript.html",
          "GET /api/sites/{siteId}/search",
          "GET /api/sites/{siteId}/exports/conversations.csv",
          "GET /api/sites/{siteId}/exports/messages.csv",
          "GET /api/sites/{siteId}/exports/{exportId}",
          // Statistics (openapi/statistics.json)
          "GET /api/sites/{siteId}/statistics",
          "GET /api/sites/{siteId}/agent-activity",
          "GET /api/sites/{siteId}/time-zone",
          "PUT /api/sites/{siteId}/time-zone",
          // Labels and ratings (openapi/labels-ratings.json)
          "PUT /api/sites/{siteId}/conversations/{conversationId}/labels/{label}",
          "DELETE /api/sites/{siteId}/conversations/{conversationId}/labels/{label}",
          "GET /api/sites/{siteId}/ratings",
          // Webhooks (openapi/webhooks.json)
          "GET /api/sites/{siteId}/webhooks",
          "POST /api/sites/{siteId}/webhooks",
          "DELETE /api/sites/{siteId}/webhooks/{hookId}",
          "GET /api/sites/{siteId}/webhooks/{hookId}/deliveries",
          "POST /api/sites/{siteId}/webhooks/{hookId}/test",
          // Files and images (openapi/files.json; docs/PROTOCOL.md §13)
          "PUT /files/uploads/{uploadId}",
          "GET /files/uploads/{uploadId}",
          "GET /files/{fileId}/link",
          "GET /files/{fileId}",
          "GET /files/{fileId}/thumbnail",
          "GET /api/sites/{siteId}/library",
          "POST /api/sites/{siteId}/library",
          "PATCH /api/sites/{siteId}/library/{libraryFileId}",
          "DELETE /api/sites/{siteId}/library/{libraryFileId}",
          "GET /api/sites/{siteId}/file-policy",
          "PUT /api/sites/{siteId}/file-policy",
          // Connections, the widget, health (openapi/platform.json; the frames are docs/PROTOCOL.md)
          "GET /ws/visitor",
          "GET /ws/agent",
          "GET /sse/visitor",
          "POST /lp/visitor",
          "GET /lp/{connectionId}",
          "POST /rt/{connectionId}",
          "GET /widget.js",
          "GET /widget/frame.html",
          "GET /widget/config",
          "GET /widget/{file}",
          "GET /widget/allowed",
          "GET /widget/agent",
          "POST /widget/message",
          "POST /widget/transcript",
          // The web admin console (openapi/platform.json): one page and its files, served gzip-encoded
          "GET /console",
          "GET /console/",
          "GET /console/index.html",
          "GET /console/{file}",
          "GET /healthz",
          "GET /");
}
