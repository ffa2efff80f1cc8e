-- Tenant-scoped operators: a tenant's users sign in to /ops and /api with a session token and work under
-- row-level security for their tenant. Follows 0012 (which adds the role 'talent').

-- The roles an operator can hold. 'editor' (never used by the code) becomes 'operator'. 'talent' (0012) is a
-- talent's own user, who signs in to the portal (/me), never to /ops.
ALTER TABLE tenant_users DROP CONSTRAINT IF EXISTS tenant_users_role_check;
UPDATE tenant_users SET role = 'operator' WHERE role = 'editor';
ALTER TABLE tenant_users ADD CONSTRAINT tenant_users_role_check CHECK (role IN ('owner', 'admin', 'operator', 'viewer', 'talent'));

-- A short name for a tenant (`drsocial-intake token --operator --tenant SLUG`). Existing tenants get one made
-- from their name; a name that several tenants share gets a piece of the id after the first.
ALTER TABLE tenants ADD COLUMN slug text CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$');
WITH made AS (
    SELECT id, coalesce(nullif(trim(BOTH '-' FROM left(lower(regexp_replace(name, '[^A-Za-z0-9]+', '-', 'g')), 48)), ''), 'tenant') AS base
    FROM tenants
), numbered AS (
    SELECT id, base, row_number() OVER (PARTITION BY base ORDER BY id) AS n FROM made
)
UPDATE tenants t SET slug = CASE WHEN n = 1 THEN base ELSE base || '-' || left(replace(t.id::text, '-', ''), 12) END
FROM numbered WHERE numbered.id = t.id;
CREATE UNIQUE INDEX tenants_slug ON tenants (slug);

-- The email intake records are not tenant-scoped (a refused message may belong to no tenant), but a tenant's
-- operator may read the messages that became their tenant's requests: the web role sees a message when one
-- of its requests is visible to it (post_requests is itself under row-level security), and only reads.
ALTER TABLE intake_messages ENABLE ROW LEVEL SECURITY;
ALTER TABLE intake_messages FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS service_access ON intake_messages;
CREATE POLICY service_access ON intake_messages TO drsocial_service USING (true) WITH CHECK (true);
DROP POLICY IF EXISTS tenant_requests ON intake_messages;
CREATE POLICY tenant_requests ON intake_messages FOR SELECT TO drsocial_web
    USING (EXISTS (SELECT 1 FROM post_requests r WHERE r.id = ANY (intake_messages.post_request_ids)));
GRANT SELECT ON intake_messages TO drsocial_web;

-- Sequences made after 0004 (publish_attempts): the web role may use them; row-level security decides the rows.
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO drsocial_web;
