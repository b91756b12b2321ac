-- credrules schema 0003: schema changes leave an audit row. Disabling a governance trigger or
-- policy needs DDL (ALTER TABLE … DISABLE TRIGGER, DROP POLICY…); an event trigger records every
-- DDL command on objects in `public` in audit_logs (action `ddl.<command>`), so such a change
-- shows. Event triggers need a superuser: a migration run by a non-superuser skips this (and
-- SCHEMA.md says what a superuser can still do, e.g. ALTER EVENT TRIGGER … DISABLE).
DO $ddl$
BEGIN
    IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        RAISE NOTICE 'not a superuser: schema changes will not be audited by an event trigger';
        RETURN;
    END IF;
    CREATE FUNCTION credrules_audit_ddl() RETURNS event_trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $function$
    DECLARE
        command record;
    BEGIN
        FOR command IN SELECT * FROM pg_event_trigger_ddl_commands() WHERE schema_name = 'public' LOOP
            INSERT INTO public.audit_logs (actor_id, actor_role, action, resource, resource_id, status, metadata_json)
            VALUES (credrules_actor(), session_user::text, 'ddl.' || lower(replace(command.command_tag, ' ', '_')),
                    command.object_type, command.object_identity, 'success',
                    jsonb_build_object('command_tag', command.command_tag, 'current_user', current_user::text));
        END LOOP;
    END
    $function$;
    REVOKE ALL ON FUNCTION credrules_audit_ddl() FROM PUBLIC;
    CREATE EVENT TRIGGER credrules_audit_ddl ON ddl_command_end EXECUTE FUNCTION credrules_audit_ddl();
END
$ddl$;
