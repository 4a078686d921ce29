-- Monitoring: run explorer, retention and alerts (server/services/monitoring).
--
-- The RetentionPolicy, AlertRule and AlertIncident tables and the plain indexes on Run and NodeRun
-- were generated from schema.prisma into 20261126080345_templates (it was created while both
-- schema changes were in the file). What follows cannot be written in schema.prisma — partial,
-- expression and GIN indexes — so it is hand-written here; the snapshot diff never sees these
-- indexes, so no later `db:migration:create` will try to drop them.

-- One workspace-wide retention policy per workspace. Flow policies are unique through
-- "RetentionPolicy_workspaceId_flowId_key", which cannot cover flowId IS NULL (NULLs are distinct).
CREATE UNIQUE INDEX "RetentionPolicy_workspace_default_key" ON "RetentionPolicy"("workspaceId") WHERE "flowId" IS NULL;

-- At most one open incident per alert rule: of concurrent evaluators, only the one whose INSERT
-- succeeds sends the notice, so a rule fires once per incident.
CREATE UNIQUE INDEX "AlertIncident_open_per_rule_key" ON "AlertIncident"("ruleId") WHERE "resolvedAt" IS NULL;

-- Run explorer search: the words of every string and number inside an event's payload (not the
-- keys, which every event of a node shares). An expression index rather than a stored tsvector
-- column: no table rewrite, no second copy of the words in the heap. Queries must repeat the
-- expression exactly (see run-explorer.ts).
CREATE INDEX "Event_payload_search_idx" ON "Event" USING GIN (jsonb_to_tsvector('simple', "payload", '["string", "numeric"]'));

-- Retention: payloads above a size cap are found without reading every event. Only payloads over
-- 1 KiB are indexed, which is also the smallest cap a policy may set.
CREATE INDEX "Event_payload_bytes_idx" ON "Event"((octet_length("payload"::text))) WHERE octet_length("payload"::text) > 1024;

-- Run explorer: sort and filter finished runs by duration (milliseconds), keyset on (duration, id).
CREATE INDEX "Run_workspace_duration_idx" ON "Run"("workspaceId", ((EXTRACT(EPOCH FROM ("finishedAt" - "startedAt")) * 1000)::bigint) DESC, "id" DESC) WHERE "finishedAt" IS NOT NULL AND "startedAt" IS NOT NULL;
