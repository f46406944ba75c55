-- Each new inbox row enqueues the job that processes it, inside the same statement: ingest is one
-- INSERT (one round trip), and a row cannot exist without its job. A duplicate delivery
-- (ON CONFLICT DO NOTHING) inserts no row and so no job.
CREATE FUNCTION webhook_inbox_enqueue() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO jobs (kind, shop, payload, run_at, created_at)
    VALUES ('webhook', NEW.shop, json_build_object('event_id', NEW.event_id, 'topic', NEW.topic)::text,
            NEW.received_at, NEW.received_at);
    RETURN NULL;
END;
$$;

CREATE TRIGGER webhook_inbox_enqueue AFTER INSERT ON webhook_inbox
    FOR EACH ROW EXECUTE FUNCTION webhook_inbox_enqueue();
