-- Roles. drsocial_web serves web-facing queries: neither owner nor superuser, so row-level security
-- applies to it; the connecting (owner) role switches to it with SET LOCAL ROLE per transaction.
-- drsocial_service is the worker's role: its policies see every tenant, like the seed's service role.
-- Roles are cluster-wide while migrations lock per database: two databases migrating at once may
-- race here, so a role or grant that appeared meanwhile is fine.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'drsocial_web') THEN
        BEGIN
            CREATE ROLE drsocial_web NOLOGIN NOINHERIT;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
        END;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'drsocial_service') THEN
        BEGIN
            CREATE ROLE drsocial_service NOLOGIN;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
        END;
    END IF;
    IF NOT pg_has_role(current_user, 'drsocial_web', 'MEMBER') THEN
        BEGIN
            EXECUTE format('GRANT drsocial_web TO %I', current_user);
        EXCEPTION WHEN unique_violation THEN NULL;
        END;
    END IF;
    IF NOT pg_has_role(current_user, 'drsocial_service', 'MEMBER') THEN
        BEGIN
            EXECUTE format('GRANT drsocial_service TO %I', current_user);
        EXCEPTION WHEN unique_violation THEN NULL;
        END;
    END IF;
END $$;

CREATE EXTENSION IF NOT EXISTS pgcrypto;

-- The tenant a web-facing transaction acts for (SET LOCAL app.tenant_id), or NULL.
CREATE OR REPLACE FUNCTION drsocial_current_tenant() RETURNS uuid
LANGUAGE sql STABLE AS $$
    SELECT nullif(current_setting('app.tenant_id', true), '')::uuid
$$;

-- Enables and forces RLS on a tenant-scoped table, with the web and service policies and grants.
CREATE OR REPLACE FUNCTION drsocial_scope_to_tenant(target regclass, tenant_column text DEFAULT 'tenant_id')
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', target);
    EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', target);
    EXECUTE format('DROP POLICY IF EXISTS tenant_isolation ON %s', target);
    EXECUTE format('CREATE POLICY tenant_isolation ON %s TO drsocial_web USING (%I = drsocial_current_tenant()) WITH CHECK (%I = drsocial_current_tenant())',
                   target, tenant_column, tenant_column);
    EXECUTE format('DROP POLICY IF EXISTS service_access ON %s', target);
    EXECUTE format('CREATE POLICY service_access ON %s TO drsocial_service USING (true) WITH CHECK (true)', target);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %s TO drsocial_web', target);
END $$;

CREATE TABLE tenants (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name text NOT NULL,
    plan text NOT NULL DEFAULT 'standard',
    status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
    default_tick_interval_seconds integer NOT NULL DEFAULT 3600 CHECK (default_tick_interval_seconds > 0),
    created_at timestamptz NOT NULL DEFAULT now()
);
SELECT drsocial_scope_to_tenant('tenants', 'id');

CREATE TABLE tenant_users (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    supabase_user_id uuid NOT NULL,
    email text,
    role text NOT NULL CHECK (role IN ('owner', 'editor', 'viewer')),
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, supabase_user_id)
);
SELECT drsocial_scope_to_tenant('tenant_users');

CREATE TABLE talents (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    -- Unique across tenants: every talent shares the one catch-all intake mailbox.
    slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    display_name text NOT NULL,
    real_name text,
    bio_short text,
    bio_long text,
    timezone text NOT NULL DEFAULT 'UTC',
    language text NOT NULL DEFAULT 'en',
    status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'archived')),
    owner_user_id uuid,
    primary_email text,
    contact_emails text[] NOT NULL DEFAULT '{}',
    phone text,
    operator_override boolean NOT NULL DEFAULT false,
    last_target_account_ids uuid[],
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, id)
);
SELECT drsocial_scope_to_tenant('talents');

CREATE TABLE talent_profile (
    talent_id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    personality_md text NOT NULL DEFAULT '',
    stories_md text NOT NULL DEFAULT '',
    goals_json jsonb NOT NULL DEFAULT '{}',
    face_ref_urls text[] NOT NULL DEFAULT '{}',
    voice_clone_ref text,
    brand_kit_json jsonb NOT NULL DEFAULT '{}',
    style_guide_md text NOT NULL DEFAULT '',
    content_pillars text[] NOT NULL DEFAULT '{}',
    hashtag_preferences text[] NOT NULL DEFAULT '{}',
    do_not_say text[] NOT NULL DEFAULT '{}',
    updated_at timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (tenant_id, talent_id) REFERENCES talents (tenant_id, id) ON DELETE CASCADE
);
SELECT drsocial_scope_to_tenant('talent_profile');

CREATE TABLE talent_assets (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id uuid NOT NULL,
    talent_id uuid NOT NULL,
    kind text NOT NULL CHECK (kind IN ('face', 'voice', 'logo', 'wardrobe', 'bgm', 'picture', 'video', 'document')),
    storage_url text NOT NULL,
    hash text,
    metadata_json jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, talent_id) REFERENCES talents (tenant_id, id) ON DELETE CASCADE
);
SELECT drsocial_scope_to_tenant('talent_assets');

CREATE TABLE accounts (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id uuid NOT NULL,
    talent_id uuid NOT NULL,
    platform text NOT NULL CHECK (platform IN ('instagram', 'tiktok', 'linkedin')),
    handle text NOT NULL,
    status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'disconnected')),
    -- The account's identity: set once, never changed (trigger below). No fallback to another channel.
    channel text NOT NULL CHECK (channel IN ('device', 'mcp')),
    vault_ref text,
    posting_schedule_json jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, id),
    UNIQUE (talent_id, platform, channel),
    FOREIGN KEY (tenant_id, talent_id) REFERENCES talents (tenant_id, id) ON DELETE CASCADE
);
SELECT drsocial_scope_to_tenant('accounts');

CREATE OR REPLACE FUNCTION lock_channel() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.channel IS DISTINCT FROM OLD.channel THEN
        RAISE EXCEPTION 'channel is immutable on account %', OLD.id USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER accounts_channel_immutable BEFORE UPDATE ON accounts
    FOR EACH ROW EXECUTE FUNCTION lock_channel();
