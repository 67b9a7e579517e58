// The OpenAPI 3.1 document of every endpoint, served at GET /openapi.json. Tests validate it with
// openapi-spec-validator and run schemathesis against a live daemon with it; keep it in step with the payloads.

enum OpenAPIDocument {
    static let json: [UInt8] = Array(#"""
    {
      "openapi": "3.1.0",
      "info": {
        "title": "status",
        "version": "1.0.0",
        "summary": "Uptime of the hosts on a home network or lab, watched by ICMP echo.",
        "description": "Every endpoint answers GET and HEAD; other methods get 405 with `Allow: GET, HEAD`. Errors are JSON objects `{\"error\": \"...\"}`. All times are RFC 3339 in UTC with a `Z` suffix. Fields may be added to payloads, never removed or changed.",
        "license": { "name": "MIT", "identifier": "MIT" }
      },
      "servers": [{ "url": "/" }],
      "paths": {
        "/status": {
          "get": {
            "operationId": "listChecks",
            "summary": "Every monitored host's check, in configuration order.",
            "responses": {
              "200": {
                "description": "The checks.",
                "headers": { "ETag": { "$ref": "#/components/headers/ETag" } },
                "content": { "application/json": { "schema": { "type": "array", "items": { "$ref": "#/components/schemas/Check" } } } }
              },
              "304": { "description": "Not modified since the ETag given in If-None-Match." },
              "default": { "$ref": "#/components/responses/Error" }
            }
          }
        },
        "/status/down": {
          "get": {
            "operationId": "listDownChecks",
            "summary": "The checks of the hosts that are down now.",
            "responses": {
              "200": {
                "description": "The checks of down hosts (possibly none).",
                "headers": { "ETag": { "$ref": "#/components/headers/ETag" } },
                "content": { "application/json": { "schema": { "type": "array", "items": { "$ref": "#/components/schemas/Check" } } } }
              },
              "304": { "description": "Not modified since the ETag given in If-None-Match." },
              "default": { "$ref": "#/components/responses/Error" }
            }
          }
        },
        "/status/service/{domain}": {
          "parameters": [{ "$ref": "#/components/parameters/Domain" }],
          "get": {
            "operationId": "getCheck",
            "summary": "One host's check.",
            "responses": {
              "200": { "description": "The check.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Check" } } } },
              "400": { "$ref": "#/components/responses/Error" },
              "404": { "$ref": "#/components/responses/Error" },
              "default": { "$ref": "#/components/responses/Error" }
            }
          }
        },
        "/status/service/{domain}/incidents": {
          "parameters": [{ "$ref": "#/components/parameters/Domain" }],
          "get": {
            "operationId": "listIncidents",
            "summary": "One host's incidents, newest first.",
            "description": "With `since` and/or `until`, only incidents that overlap that time (an ongoing incident lasts until now). Unknown query parameters are ignored.",
            "parameters": [
              { "name": "since", "in": "query", "required": false, "description": "Only incidents still ongoing at or after this time.", "schema": { "type": "string", "format": "date-time" }, "example": "2026-11-24T00:00:00Z" },
              { "name": "until", "in": "query", "required": false, "description": "Only incidents that began at or before this time.", "schema": { "type": "string", "format": "date-time" }, "example": "2026-11-25T00:00:00Z" },
              { "name": "limit", "in": "query", "required": false, "description": "At most this many (the newest).", "schema": { "type": "integer", "minimum": 1, "maximum": 10000 }, "example": 20 }
            ],
            "responses": {
              "200": { "description": "The incidents.", "content": { "application/json": { "schema": { "type": "array", "items": { "$ref": "#/components/schemas/Incident" } } } } },
              "400": { "$ref": "#/components/responses/Error" },
              "404": { "$ref": "#/components/responses/Error" },
              "503": { "$ref": "#/components/responses/Error" },
              "default": { "$ref": "#/components/responses/Error" }
            }
          }
        },
        "/status/service/{domain}/badge.svg": {
          "parameters": [{ "$ref": "#/components/parameters/Domain" }],
          "get": {
            "operationId": "getBadge",
            "summary": "A badge with the host's state and 24 h uptime, for a README.",
            "responses": {
              "200": { "description": "An SVG image.", "content": { "image/svg+xml": { "schema": { "type": "string" } } } },
              "400": { "$ref": "#/components/responses/Error" },
              "404": { "$ref": "#/components/responses/Error" },
              "default": { "$ref": "#/components/responses/Error" }
            }
          }
        },
        "/healthz": {
          "get": {
            "operationId": "getHealth",
            "summary": "The daemon's health, for docker healthchecks.",
            "description": "200 while the hosts are being pinged; 503 when the schedule has stalled. A database outage alone is not unhealthy: the daemon keeps a journal and catches up.",
            "responses": {
              "200": { "description": "Pinging and serving.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Health" } } } },
              "503": { "description": "The schedule has stalled.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Health" } } } },
              "default": { "$ref": "#/components/responses/Error" }
            }
          }
        },
        "/metrics": {
          "get": {
            "operationId": "getMetrics",
            "summary": "Hosts and daemon in the Prometheus text exposition format 0.0.4.",
            "responses": {
              "200": { "description": "Metrics.", "content": { "text/plain": { "schema": { "type": "string" } } } },
              "default": { "$ref": "#/components/responses/Error" }
            }
          }
        },
        "/openapi.json": {
          "get": {
            "operationId": "getOpenAPI",
            "summary": "This document.",
            "responses": {
              "200": { "description": "The OpenAPI 3.1 document.", "content": { "application/json": { "schema": { "type": "object" } } } },
              "default": { "$ref": "#/components/responses/Error" }
            }
          }
        },
        "/favicon.ico": {
      "get": {
        "operationId": "getFavicon",
        "summary": "No icon: browsers ask for one by themselves, and get an empty answer instead of a 404.",
        "responses": {
          "204": { "description": "No content." },
          "default": { "$ref": "#/components/responses/Error" }
        }
      }
    },
    "/": {
          "get": {
            "operationId": "getDashboard",
            "summary": "The dashboard: one self-contained HTML page that reads the endpoints above.",
            "responses": {
              "200": { "description": "The page.", "content": { "text/html": { "schema": { "type": "string" } } } },
              "default": { "$ref": "#/components/responses/Error" }
            }
          }
        }
      },
      "components": {
        "parameters": {
          "Domain": {
            "name": "domain", "in": "path", "required": true,
            "description": "The host exactly as configured in MONITORING_HOSTS, percent-encoded; an IPv6 literal with or without brackets.",
            "schema": { "type": "string", "minLength": 1 },
            "example": "127.0.0.1"
          }
        },
        "headers": {
          "ETag": { "description": "Changes whenever the body does; send it back in If-None-Match to get 304.", "schema": { "type": "string" } }
        },
        "responses": {
          "Error": {
            "description": "An error, in plain words.",
            "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } }
          }
        },
        "schemas": {
          "Time": { "type": "string", "format": "date-time", "pattern": "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$" },
          "Percent": { "type": ["number", "null"], "minimum": 0, "maximum": 100 },
          "Check": {
            "type": "object",
            "description": "The state of one host at its last ping.",
            "required": ["id", "domain", "last_performed", "status"],
            "properties": {
              "id": { "type": "integer", "minimum": 0, "description": "Stays the same for a domain across restarts; 0 until the database has been reached once (only after a start without it and without a state directory)." },
              "domain": { "type": "string", "description": "The host as configured." },
              "last_performed": { "oneOf": [{ "$ref": "#/components/schemas/Time" }, { "type": "null" }], "description": "Time of the last completed ping; null before the first." },
              "status": { "type": "boolean", "description": "True while the host is up (and before its first ping)." },
              "rtt_ms": { "type": ["number", "null"], "minimum": 0, "description": "Round-trip time of the last good ping, in milliseconds." },
              "loss_pct": { "$ref": "#/components/schemas/Percent", "description": "Share of the last 64 pings without a reply." },
              "uptime_24h_pct": { "$ref": "#/components/schemas/Percent", "description": "Uptime over the last 24 hours of watched time; null if none of it was watched." },
              "uptime_7d_pct": { "$ref": "#/components/schemas/Percent", "description": "Uptime over the last 7 days of watched time." },
              "uptime_30d_pct": { "$ref": "#/components/schemas/Percent", "description": "Uptime over the last 30 days of watched time." },
              "down_since": { "oneOf": [{ "$ref": "#/components/schemas/Time" }, { "type": "null" }], "description": "While down: the ongoing incident's down_detection." },
              "down_for_s": { "type": ["number", "null"], "minimum": 0, "description": "While down: how long the ongoing incident has lasted, in seconds." }
            }
          },
          "Incident": {
            "type": "object",
            "description": "One period of downtime, resolved or ongoing.",
            "required": ["id", "check_id", "description", "down_detection", "up_detection"],
            "properties": {
              "id": { "type": "integer", "minimum": 1 },
              "check_id": { "type": "integer", "minimum": 1 },
              "description": { "type": "string", "description": "Why, in plain words: a timeout, an ICMP error and who sent it, or a DNS failure." },
              "down_detection": { "$ref": "#/components/schemas/Time", "description": "Time of the first failed ping of the streak that declared the host down." },
              "up_detection": { "oneOf": [{ "$ref": "#/components/schemas/Time" }, { "type": "null" }], "description": "Time of the first good ping of the streak that declared it up again; null while ongoing." },
              "duration_s": { "type": "number", "minimum": 0, "description": "Seconds from down_detection to up_detection, or to now while ongoing." }
            }
          },
          "Health": {
            "type": "object",
            "required": ["status", "pinging", "database", "journal_waiting", "pending_writes"],
            "properties": {
              "status": { "type": "string", "enum": ["ok", "stalled"] },
              "pinging": { "type": "boolean" },
              "last_ping_age_ms": { "type": ["integer", "null"], "minimum": 0 },
              "database": { "type": "string", "enum": ["reachable", "unreachable"] },
              "journal_waiting": { "type": "integer", "minimum": 0, "description": "State changes in the journal that the database does not have yet." },
              "pending_writes": { "type": "integer", "minimum": 0 }
            }
          },
          "Error": {
            "type": "object",
            "required": ["error"],
            "properties": { "error": { "type": "string" } }
          }
        }
      }
    }
    """#.utf8)
}
