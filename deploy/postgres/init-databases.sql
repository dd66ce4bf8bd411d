-- One database per service: no service reads another's tables (DESIGN.md §2).
-- Run by the postgres image on its first start (empty data volume), as
-- POSTGRES_USER, who therefore owns them; `carecircle migrate all` then
-- creates the tables. deploy/local/up.sh creates the same four databases.
CREATE DATABASE carecircle_intake;
CREATE DATABASE carecircle_scheduling;
CREATE DATABASE carecircle_notifications;
CREATE DATABASE carecircle_reporting;
