-- The dashboard's payment rollup, payment_days: per agency and local day of completion (the agency's timezone),
-- the net collected (amount less refunds) and the number of applied payments. Statement-level triggers on
-- payments add a statement's new rows and take out its old ones; payment_days_rebuild re-derives one agency
-- (after its timezone changes). Applied statuses: {{applied_statuses}}.

CREATE OR REPLACE FUNCTION payments_days_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO payment_days AS t (agency_id, day, net, payments)
  SELECT r.agency_id, (r.completed_at AT TIME ZONE a.timezone)::date AS day, sum(r.amount - r.refunded_amount), count(*)
  FROM new_rows r JOIN agencies a ON a.id = r.agency_id
  WHERE r.status IN ({{applied_statuses}}) AND r.completed_at IS NOT NULL
  GROUP BY 1, 2 ORDER BY 1, 2
  ON CONFLICT (agency_id, day) DO UPDATE SET net = t.net + EXCLUDED.net, payments = t.payments + EXCLUDED.payments;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION payments_days_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO payment_days AS t (agency_id, day, net, payments)
  SELECT agency_id, day, sum(b), sum(n) FROM (
    SELECT r.agency_id, (r.completed_at AT TIME ZONE a.timezone)::date AS day, r.amount - r.refunded_amount AS b, 1 AS n
    FROM new_rows r JOIN agencies a ON a.id = r.agency_id
    WHERE r.status IN ({{applied_statuses}}) AND r.completed_at IS NOT NULL
    UNION ALL
    SELECT r.agency_id, (r.completed_at AT TIME ZONE a.timezone)::date, -(r.amount - r.refunded_amount), -1
    FROM old_rows r JOIN agencies a ON a.id = r.agency_id
    WHERE r.status IN ({{applied_statuses}}) AND r.completed_at IS NOT NULL
  ) d GROUP BY agency_id, day
  HAVING sum(n) <> 0 OR sum(b) <> 0 ORDER BY agency_id, day
  ON CONFLICT (agency_id, day) DO UPDATE SET net = t.net + EXCLUDED.net, payments = t.payments + EXCLUDED.payments;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION payments_days_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO payment_days AS t (agency_id, day, net, payments)
  SELECT r.agency_id, (r.completed_at AT TIME ZONE a.timezone)::date AS day, -sum(r.amount - r.refunded_amount), -count(*)
  FROM old_rows r JOIN agencies a ON a.id = r.agency_id
  WHERE r.status IN ({{applied_statuses}}) AND r.completed_at IS NOT NULL
  GROUP BY 1, 2 ORDER BY 1, 2
  ON CONFLICT (agency_id, day) DO UPDATE SET net = t.net + EXCLUDED.net, payments = t.payments + EXCLUDED.payments;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION payment_days_rebuild(agency integer) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM payment_days WHERE agency_id = agency;
  INSERT INTO payment_days (agency_id, day, net, payments)
  SELECT p.agency_id, (p.completed_at AT TIME ZONE a.timezone)::date, sum(p.amount - p.refunded_amount), count(*)
  FROM payments p JOIN agencies a ON a.id = p.agency_id
  WHERE p.agency_id = agency AND p.status IN ({{applied_statuses}}) AND p.completed_at IS NOT NULL
  GROUP BY 1, 2;
END $$;

CREATE OR REPLACE TRIGGER payments_days_insert AFTER INSERT ON payments REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION payments_days_insert();
CREATE OR REPLACE TRIGGER payments_days_update AFTER UPDATE ON payments
  REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION payments_days_update();
CREATE OR REPLACE TRIGGER payments_days_delete AFTER DELETE ON payments REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION payments_days_delete();
