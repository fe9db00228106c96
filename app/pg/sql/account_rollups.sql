-- The dashboard's account rollups, kept exact by statement-level triggers on accounts:
--   account_totals   per agency and status: accounts, current balances, original amounts;
--   open_due_dates   per agency and due date, the open accounts and their balances (the aging report;
--                    no due date is kept under {{no_due_date}}, as a key cannot be NULL).
-- A statement's new rows are added in, its old rows taken out; a group whose sums are all zero writes nothing.
-- Transition tables exist only inside their own trigger's function, hence one function per event.

CREATE OR REPLACE FUNCTION accounts_totals_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO account_totals AS t (agency_id, status, accounts, balance, placed)
  SELECT agency_id, status, count(*), sum(current_balance), sum(original_amount)
  FROM new_rows GROUP BY agency_id, status ORDER BY agency_id, status
  ON CONFLICT (agency_id, status) DO UPDATE SET accounts = t.accounts + EXCLUDED.accounts,
    balance = t.balance + EXCLUDED.balance, placed = t.placed + EXCLUDED.placed;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION accounts_totals_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO account_totals AS t (agency_id, status, accounts, balance, placed)
  SELECT agency_id, status, sum(n), sum(b), sum(p) FROM (
    SELECT agency_id, status, 1 AS n, current_balance AS b, original_amount AS p FROM new_rows
    UNION ALL
    SELECT agency_id, status, -1, -current_balance, -original_amount FROM old_rows
  ) d GROUP BY agency_id, status
  HAVING sum(n) <> 0 OR sum(b) <> 0 OR sum(p) <> 0 ORDER BY agency_id, status
  ON CONFLICT (agency_id, status) DO UPDATE SET accounts = t.accounts + EXCLUDED.accounts,
    balance = t.balance + EXCLUDED.balance, placed = t.placed + EXCLUDED.placed;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION accounts_totals_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO account_totals AS t (agency_id, status, accounts, balance, placed)
  SELECT agency_id, status, -count(*), -sum(current_balance), -sum(original_amount)
  FROM old_rows GROUP BY agency_id, status ORDER BY agency_id, status
  ON CONFLICT (agency_id, status) DO UPDATE SET accounts = t.accounts + EXCLUDED.accounts,
    balance = t.balance + EXCLUDED.balance, placed = t.placed + EXCLUDED.placed;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION accounts_due_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO open_due_dates AS t (agency_id, due_date, accounts, balance)
  SELECT agency_id, coalesce(due_date, {{no_due_date}}) AS d, count(*), sum(current_balance)
  FROM new_rows WHERE status IN ({{open_statuses}}) GROUP BY agency_id, d ORDER BY agency_id, d
  ON CONFLICT (agency_id, due_date) DO UPDATE SET accounts = t.accounts + EXCLUDED.accounts,
    balance = t.balance + EXCLUDED.balance;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION accounts_due_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO open_due_dates AS t (agency_id, due_date, accounts, balance)
  SELECT agency_id, d, sum(n), sum(b) FROM (
    SELECT agency_id, coalesce(due_date, {{no_due_date}}) AS d, 1 AS n, current_balance AS b
    FROM new_rows WHERE status IN ({{open_statuses}})
    UNION ALL
    SELECT agency_id, coalesce(due_date, {{no_due_date}}), -1, -current_balance
    FROM old_rows WHERE status IN ({{open_statuses}})
  ) x GROUP BY agency_id, d
  HAVING sum(n) <> 0 OR sum(b) <> 0 ORDER BY agency_id, d
  ON CONFLICT (agency_id, due_date) DO UPDATE SET accounts = t.accounts + EXCLUDED.accounts,
    balance = t.balance + EXCLUDED.balance;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION accounts_due_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO open_due_dates AS t (agency_id, due_date, accounts, balance)
  SELECT agency_id, coalesce(due_date, {{no_due_date}}) AS d, -count(*), -sum(current_balance)
  FROM old_rows WHERE status IN ({{open_statuses}}) GROUP BY agency_id, d ORDER BY agency_id, d
  ON CONFLICT (agency_id, due_date) DO UPDATE SET accounts = t.accounts + EXCLUDED.accounts,
    balance = t.balance + EXCLUDED.balance;
  RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER accounts_totals_insert AFTER INSERT ON accounts REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION accounts_totals_insert();
CREATE OR REPLACE TRIGGER accounts_totals_update AFTER UPDATE ON accounts
  REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION accounts_totals_update();
CREATE OR REPLACE TRIGGER accounts_totals_delete AFTER DELETE ON accounts REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION accounts_totals_delete();
CREATE OR REPLACE TRIGGER accounts_due_insert AFTER INSERT ON accounts REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION accounts_due_insert();
CREATE OR REPLACE TRIGGER accounts_due_update AFTER UPDATE ON accounts
  REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION accounts_due_update();
CREATE OR REPLACE TRIGGER accounts_due_delete AFTER DELETE ON accounts REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION accounts_due_delete();
