-- Collector performance rollups, kept exact by statement-level triggers on payments and activities.
--
-- collector_account_days holds the facts: one row per (account, kind, collector, local day) with at least one
-- event of that kind. Kinds: {{fact_note}} (a note by the collector), {{fact_paid}} (a payment credited to them,
-- not fully refunded), {{fact_assigned}} (an assignment to them; done_day and seconds: the first such payment
-- after it) and {{fact_settled}} (a move to settled, credited to the account's collector now). prev_day is the
-- previous day of the same account, kind and collector ({{no_earlier_day}} for the first).
-- collector_day_counts counts the facts; collector_payment_days sums payments per collector and local day.
-- A statement's touched accounts have their facts recomputed (collector_facts_refresh); payments add their
-- delta to collector_payment_days.

-- Every fact of the given kinds on the given accounts, recomputed from the activities and payments.
CREATE OR REPLACE FUNCTION collector_facts(kinds text[], ids integer[]) RETURNS SETOF collector_account_days
LANGUAGE sql STABLE AS $$
WITH events AS (  -- (agency, kind, collector, account, time)
  SELECT v.agency_id, {{fact_note}}::varchar AS kind, v.actor_id AS collector_id, v.account_id, v.created_at AS at
  FROM activities v
  WHERE {{fact_note}} = ANY(kinds) AND v.account_id = ANY(ids) AND v.kind = {{kind_note}} AND v.actor_id IS NOT NULL
  UNION ALL
  SELECT v.agency_id, {{fact_assigned}}, (v.details ->> {{detail_new}})::integer, v.account_id, v.created_at
  FROM activities v
  WHERE {{fact_assigned}} = ANY(kinds) AND v.account_id = ANY(ids) AND v.kind = {{kind_assignment}}
    AND v.details ->> {{detail_new}} IS NOT NULL
  UNION ALL
  SELECT v.agency_id, {{fact_settled}}, a.assigned_collector_id, v.account_id, v.created_at
  FROM activities v JOIN accounts a ON a.id = v.account_id
  WHERE {{fact_settled}} = ANY(kinds) AND v.account_id = ANY(ids) AND v.kind = {{kind_status_change}}
    AND v.details ->> {{detail_new}} = {{status_settled}} AND a.assigned_collector_id IS NOT NULL
  UNION ALL
  SELECT p.agency_id, {{fact_paid}}, p.collector_id, p.account_id, p.completed_at
  FROM payments p
  WHERE {{fact_paid}} = ANY(kinds) AND p.account_id = ANY(ids) AND p.status IN ({{applied_statuses}})
    AND p.amount > p.refunded_amount AND p.collector_id IS NOT NULL AND p.completed_at IS NOT NULL
), days AS (
  SELECT e.agency_id, e.kind, e.collector_id, e.account_id, g.timezone AS tz,
         (e.at AT TIME ZONE g.timezone)::date AS day, min(e.at) AS at,
         lag((e.at AT TIME ZONE g.timezone)::date) OVER (PARTITION BY e.kind, e.collector_id, e.account_id
                                                         ORDER BY (e.at AT TIME ZONE g.timezone)::date) AS prev_day
  FROM events e JOIN agencies g ON g.id = e.agency_id GROUP BY 1, 2, 3, 4, 5, 6
)
SELECT account_id, kind, collector_id, day, agency_id, coalesce(prev_day, {{no_earlier_day}}), {{never}}, 0
FROM days WHERE kind <> {{fact_assigned}}
UNION ALL
SELECT d.account_id, d.kind, d.collector_id, d.day, d.agency_id, coalesce(d.prev_day, {{no_earlier_day}}),
       coalesce((f.at AT TIME ZONE d.tz)::date, {{never}}), coalesce(extract(epoch FROM f.at - d.at), 0)
FROM days d LEFT JOIN LATERAL (  -- the first payment to that collector after the assignment
  SELECT min(p.completed_at) AS at FROM payments p
  WHERE p.account_id = d.account_id AND p.collector_id = d.collector_id AND p.status IN ({{applied_statuses}})
    AND p.amount > p.refunded_amount AND p.completed_at IS NOT NULL AND p.completed_at >= d.at
) f ON true WHERE d.kind = {{fact_assigned}}
$$;

-- Recompute the facts of these accounts: take their old rows out of the counts, put the new ones in.
-- Small sets lock their accounts first, so two writers of one account apply their changes one after the other.
CREATE OR REPLACE FUNCTION collector_facts_refresh(kinds text[], ids integer[]) RETURNS void LANGUAGE plpgsql
SET plan_cache_mode = force_custom_plan AS $$
BEGIN
  IF coalesce(cardinality(ids), 0) = 0 THEN RETURN; END IF;
  IF cardinality(ids) <= 10000 THEN
    PERFORM 1 FROM accounts WHERE id = ANY(ids) ORDER BY id FOR NO KEY UPDATE;
  END IF;
  WITH gone AS (
    DELETE FROM collector_account_days f WHERE f.account_id = ANY(ids) AND f.kind = ANY(kinds) RETURNING f.*
  )
  INSERT INTO collector_day_counts AS t (agency_id, day, collector_id, kind, prev_day, done_day, accounts, seconds)
  SELECT agency_id, day, collector_id, kind, prev_day, done_day, -count(*), -sum(seconds) FROM gone
  GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
  ON CONFLICT (agency_id, day, collector_id, kind, prev_day, done_day) DO UPDATE
  SET accounts = t.accounts + EXCLUDED.accounts, seconds = t.seconds + EXCLUDED.seconds;
  WITH added AS (INSERT INTO collector_account_days SELECT * FROM collector_facts(kinds, ids) RETURNING *)
  INSERT INTO collector_day_counts AS t (agency_id, day, collector_id, kind, prev_day, done_day, accounts, seconds)
  SELECT agency_id, day, collector_id, kind, prev_day, done_day, count(*), sum(seconds) FROM added
  GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
  ON CONFLICT (agency_id, day, collector_id, kind, prev_day, done_day) DO UPDATE
  SET accounts = t.accounts + EXCLUDED.accounts, seconds = t.seconds + EXCLUDED.seconds;
END $$;

-- Re-derive one agency's collector rollups (the backfill, and after a timezone change).
CREATE OR REPLACE FUNCTION collector_rollups_rebuild(agency integer) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM collector_payment_days WHERE agency_id = agency;
  INSERT INTO collector_payment_days (agency_id, day, collector_id, net, commission)
  SELECT r.agency_id, (r.completed_at AT TIME ZONE a.timezone)::date, r.collector_id,
         sum(r.amount - r.refunded_amount), sum(r.commission_amount - r.commission_reversed)
  FROM payments r JOIN agencies a ON a.id = r.agency_id
  WHERE r.agency_id = agency AND r.status IN ({{applied_statuses}}) AND r.completed_at IS NOT NULL
    AND r.collector_id IS NOT NULL
  GROUP BY 1, 2, 3 HAVING sum(r.amount - r.refunded_amount) <> 0 OR sum(r.commission_amount - r.commission_reversed) <> 0
  ORDER BY 1, 2, 3;
  PERFORM collector_facts_refresh(ARRAY[{{fact_kinds}}], ARRAY(SELECT id FROM accounts WHERE agency_id = agency));
END $$;

CREATE OR REPLACE FUNCTION payments_collectors_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM collector_facts_refresh(ARRAY[{{fact_paid}}, {{fact_assigned}}], ARRAY(SELECT DISTINCT account_id FROM new_rows));
  INSERT INTO collector_payment_days AS t (agency_id, day, collector_id, net, commission)
  SELECT r.agency_id, (r.completed_at AT TIME ZONE a.timezone)::date, r.collector_id,
         sum(r.amount - r.refunded_amount), sum(r.commission_amount - r.commission_reversed)
  FROM new_rows r JOIN agencies a ON a.id = r.agency_id
  WHERE r.status IN ({{applied_statuses}}) AND r.completed_at IS NOT NULL AND r.collector_id IS NOT NULL
  GROUP BY 1, 2, 3 HAVING sum(r.amount - r.refunded_amount) <> 0 OR sum(r.commission_amount - r.commission_reversed) <> 0
  ORDER BY 1, 2, 3
  ON CONFLICT (agency_id, day, collector_id) DO UPDATE
  SET net = t.net + EXCLUDED.net, commission = t.commission + EXCLUDED.commission;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION payments_collectors_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM collector_facts_refresh(ARRAY[{{fact_paid}}, {{fact_assigned}}],
                                  ARRAY(SELECT account_id FROM new_rows UNION SELECT account_id FROM old_rows));
  INSERT INTO collector_payment_days AS t (agency_id, day, collector_id, net, commission)
  SELECT agency_id, day, collector_id, sum(net), sum(c) FROM (
    SELECT r.agency_id, (r.completed_at AT TIME ZONE a.timezone)::date AS day, r.collector_id,
           r.amount - r.refunded_amount AS net, r.commission_amount - r.commission_reversed AS c
    FROM new_rows r JOIN agencies a ON a.id = r.agency_id
    WHERE r.status IN ({{applied_statuses}}) AND r.completed_at IS NOT NULL AND r.collector_id IS NOT NULL
    UNION ALL
    SELECT r.agency_id, (r.completed_at AT TIME ZONE a.timezone)::date, r.collector_id,
           -(r.amount - r.refunded_amount), -(r.commission_amount - r.commission_reversed)
    FROM old_rows r JOIN agencies a ON a.id = r.agency_id
    WHERE r.status IN ({{applied_statuses}}) AND r.completed_at IS NOT NULL AND r.collector_id IS NOT NULL
  ) d GROUP BY 1, 2, 3
  HAVING sum(net) <> 0 OR sum(c) <> 0 ORDER BY 1, 2, 3
  ON CONFLICT (agency_id, day, collector_id) DO UPDATE
  SET net = t.net + EXCLUDED.net, commission = t.commission + EXCLUDED.commission;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION payments_collectors_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM collector_facts_refresh(ARRAY[{{fact_paid}}, {{fact_assigned}}], ARRAY(SELECT DISTINCT account_id FROM old_rows));
  INSERT INTO collector_payment_days AS t (agency_id, day, collector_id, net, commission)
  SELECT r.agency_id, (r.completed_at AT TIME ZONE a.timezone)::date, r.collector_id,
         -sum(r.amount - r.refunded_amount), -sum(r.commission_amount - r.commission_reversed)
  FROM old_rows r JOIN agencies a ON a.id = r.agency_id
  WHERE r.status IN ({{applied_statuses}}) AND r.completed_at IS NOT NULL AND r.collector_id IS NOT NULL
  GROUP BY 1, 2, 3 HAVING sum(r.amount - r.refunded_amount) <> 0 OR sum(r.commission_amount - r.commission_reversed) <> 0
  ORDER BY 1, 2, 3
  ON CONFLICT (agency_id, day, collector_id) DO UPDATE
  SET net = t.net + EXCLUDED.net, commission = t.commission + EXCLUDED.commission;
  RETURN NULL;
END $$;

-- An activity statement refreshes the facts its kinds feed: notes, assignments, moves to settled.
CREATE OR REPLACE FUNCTION activities_collectors_insert() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE notes integer[]; assignments integer[]; changes integer[];
BEGIN
  SELECT coalesce(array_agg(DISTINCT account_id) FILTER (WHERE kind = {{kind_note}}), '{}'),
         coalesce(array_agg(DISTINCT account_id) FILTER (WHERE kind = {{kind_assignment}}), '{}'),
         coalesce(array_agg(DISTINCT account_id) FILTER (WHERE kind = {{kind_status_change}}), '{}')
  INTO notes, assignments, changes
  FROM new_rows WHERE kind IN ({{kind_note}}, {{kind_assignment}}, {{kind_status_change}});
  PERFORM collector_facts_refresh(ARRAY[{{fact_note}}], notes);
  PERFORM collector_facts_refresh(ARRAY[{{fact_assigned}}], assignments);
  PERFORM collector_facts_refresh(ARRAY[{{fact_settled}}], changes);
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION activities_collectors_update() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE notes integer[]; assignments integer[]; changes integer[];
BEGIN
  SELECT coalesce(array_agg(DISTINCT account_id) FILTER (WHERE kind = {{kind_note}}), '{}'),
         coalesce(array_agg(DISTINCT account_id) FILTER (WHERE kind = {{kind_assignment}}), '{}'),
         coalesce(array_agg(DISTINCT account_id) FILTER (WHERE kind = {{kind_status_change}}), '{}')
  INTO notes, assignments, changes
  FROM (SELECT account_id, kind FROM new_rows UNION ALL SELECT account_id, kind FROM old_rows) r
  WHERE kind IN ({{kind_note}}, {{kind_assignment}}, {{kind_status_change}});
  PERFORM collector_facts_refresh(ARRAY[{{fact_note}}], notes);
  PERFORM collector_facts_refresh(ARRAY[{{fact_assigned}}], assignments);
  PERFORM collector_facts_refresh(ARRAY[{{fact_settled}}], changes);
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION activities_collectors_delete() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE notes integer[]; assignments integer[]; changes integer[];
BEGIN
  SELECT coalesce(array_agg(DISTINCT account_id) FILTER (WHERE kind = {{kind_note}}), '{}'),
         coalesce(array_agg(DISTINCT account_id) FILTER (WHERE kind = {{kind_assignment}}), '{}'),
         coalesce(array_agg(DISTINCT account_id) FILTER (WHERE kind = {{kind_status_change}}), '{}')
  INTO notes, assignments, changes
  FROM old_rows WHERE kind IN ({{kind_note}}, {{kind_assignment}}, {{kind_status_change}});
  PERFORM collector_facts_refresh(ARRAY[{{fact_note}}], notes);
  PERFORM collector_facts_refresh(ARRAY[{{fact_assigned}}], assignments);
  PERFORM collector_facts_refresh(ARRAY[{{fact_settled}}], changes);
  RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER payments_collectors_insert AFTER INSERT ON payments REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION payments_collectors_insert();
CREATE OR REPLACE TRIGGER payments_collectors_update AFTER UPDATE ON payments
  REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION payments_collectors_update();
CREATE OR REPLACE TRIGGER payments_collectors_delete AFTER DELETE ON payments REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION payments_collectors_delete();
CREATE OR REPLACE TRIGGER activities_collectors_insert AFTER INSERT ON activities REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION activities_collectors_insert();
CREATE OR REPLACE TRIGGER activities_collectors_update AFTER UPDATE ON activities
  REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION activities_collectors_update();
CREATE OR REPLACE TRIGGER activities_collectors_delete AFTER DELETE ON activities REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION activities_collectors_delete();
