-- Rules the database keeps whoever writes: rows that name a tenant's things carry that tenant, people are
-- tenant users, and a variant's account, content and request belong to the variant's own talent.
-- Rows written before these rules are mended first (the tenant filled in from what the row names, unknown
-- people recorded as viewers, who may read but never act), so the migration applies to a live database.

-- A talent's owner is a person of the tenant: `talents.owner_user_id` is the `sub` of their session token,
-- so it references `tenant_users.supabase_user_id`. Their row has the role `talent`.
ALTER TABLE tenant_users DROP CONSTRAINT tenant_users_role_check;
ALTER TABLE tenant_users ADD CONSTRAINT tenant_users_role_check CHECK (role IN ('owner', 'editor', 'viewer', 'talent'));

INSERT INTO tenant_users (tenant_id, supabase_user_id, role)
SELECT tenant_id, owner_user_id, 'talent' FROM talents WHERE owner_user_id IS NOT NULL
ON CONFLICT (tenant_id, supabase_user_id) DO NOTHING;
ALTER TABLE talents ADD CONSTRAINT talents_owner_is_a_tenant_user
    FOREIGN KEY (tenant_id, owner_user_id) REFERENCES tenant_users (tenant_id, supabase_user_id);

INSERT INTO tenant_users (tenant_id, supabase_user_id, role)
SELECT DISTINCT tenant_id, approved_by_user_id, 'viewer' FROM content_queue WHERE approved_by_user_id IS NOT NULL
ON CONFLICT (tenant_id, supabase_user_id) DO NOTHING;
ALTER TABLE content_queue ADD CONSTRAINT content_queue_approver_is_a_tenant_user
    FOREIGN KEY (tenant_id, approved_by_user_id) REFERENCES tenant_users (tenant_id, supabase_user_id);

-- A variant's account, content and request are its own talent's (the tenant alone was checked before).
ALTER TABLE accounts ADD CONSTRAINT accounts_talent_key UNIQUE (tenant_id, talent_id, id);
ALTER TABLE content ADD CONSTRAINT content_talent_key UNIQUE (tenant_id, talent_id, id);
ALTER TABLE post_requests ADD CONSTRAINT post_requests_talent_key UNIQUE (tenant_id, talent_id, id);
ALTER TABLE content_queue ADD CONSTRAINT content_queue_account_of_the_talent
    FOREIGN KEY (tenant_id, talent_id, account_id) REFERENCES accounts (tenant_id, talent_id, id);
ALTER TABLE content_queue ADD CONSTRAINT content_queue_content_of_the_talent
    FOREIGN KEY (tenant_id, talent_id, content_id) REFERENCES content (tenant_id, talent_id, id);
ALTER TABLE content_queue ADD CONSTRAINT content_queue_request_of_the_talent
    FOREIGN KEY (tenant_id, talent_id, post_request_id) REFERENCES post_requests (tenant_id, talent_id, id);

-- An event naming a talent, account or request carries the tenant: the composite keys are skipped when
-- `tenant_id` is NULL, so without this a NULL would let an event point anywhere.
UPDATE events e SET tenant_id = t.tenant_id FROM talents t WHERE e.tenant_id IS NULL AND e.talent_id = t.id;
UPDATE events e SET tenant_id = a.tenant_id FROM accounts a WHERE e.tenant_id IS NULL AND e.account_id = a.id;
UPDATE events e SET tenant_id = r.tenant_id FROM post_requests r WHERE e.tenant_id IS NULL AND e.post_request_id = r.id;
ALTER TABLE events ADD CONSTRAINT events_naming_carry_the_tenant
    CHECK (tenant_id IS NOT NULL OR (talent_id IS NULL AND account_id IS NULL AND post_request_id IS NULL));

-- A job naming a request, variant, talent or account (in its columns or its payload) carries the tenant,
-- and what it names is that tenant's.
CREATE OR REPLACE FUNCTION jobs_named_tenant(payload jsonb) RETURNS uuid LANGUAGE sql STABLE AS $$
    SELECT coalesce(
        (SELECT tenant_id FROM post_requests WHERE id = (payload ->> 'post_request_id')::uuid),
        (SELECT tenant_id FROM content_queue WHERE id = (payload ->> 'content_queue_id')::uuid),
        (SELECT tenant_id FROM talents WHERE id = (payload ->> 'talent_id')::uuid),
        (SELECT tenant_id FROM accounts WHERE id = (payload ->> 'account_id')::uuid)
    )
$$;
UPDATE jobs SET tenant_id = jobs_named_tenant(payload_json)
WHERE tenant_id IS NULL AND payload_json ?| ARRAY['post_request_id', 'content_queue_id', 'talent_id', 'account_id'];
DROP FUNCTION jobs_named_tenant(jsonb);
ALTER TABLE jobs ADD CONSTRAINT jobs_naming_carry_the_tenant CHECK (
    tenant_id IS NOT NULL
    OR (account_id IS NULL AND NOT payload_json ?| ARRAY['post_request_id', 'content_queue_id', 'talent_id', 'account_id'])
);

CREATE OR REPLACE FUNCTION jobs_name_their_tenants_things() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    key text;
    named uuid;
BEGIN
    -- Without a tenant the CHECK above decides (and says the tenant is missing).
    IF NEW.tenant_id IS NULL THEN
        RETURN NEW;
    END IF;
    FOREACH key IN ARRAY ARRAY['post_request_id', 'content_queue_id', 'talent_id', 'account_id'] LOOP
        CONTINUE WHEN NOT NEW.payload_json ? key;
        named := CASE key
            WHEN 'post_request_id' THEN (SELECT tenant_id FROM post_requests WHERE id = (NEW.payload_json ->> key)::uuid)
            WHEN 'content_queue_id' THEN (SELECT tenant_id FROM content_queue WHERE id = (NEW.payload_json ->> key)::uuid)
            WHEN 'talent_id' THEN (SELECT tenant_id FROM talents WHERE id = (NEW.payload_json ->> key)::uuid)
            ELSE (SELECT tenant_id FROM accounts WHERE id = (NEW.payload_json ->> key)::uuid)
        END;
        IF named IS DISTINCT FROM NEW.tenant_id THEN
            RAISE EXCEPTION 'a job of tenant % names %=% which is %', NEW.tenant_id, key, NEW.payload_json ->> key,
                coalesce('of tenant ' || named::text, 'unknown') USING ERRCODE = 'foreign_key_violation';
        END IF;
    END LOOP;
    RETURN NEW;
END $$;
CREATE TRIGGER jobs_name_their_tenants_things BEFORE INSERT OR UPDATE OF payload_json, tenant_id ON jobs
    FOR EACH ROW EXECUTE FUNCTION jobs_name_their_tenants_things();
