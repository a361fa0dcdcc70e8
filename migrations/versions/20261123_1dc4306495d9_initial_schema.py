"""Initial schema: units, users, evaluations and their content, workflow, audit, publication.

Reviewed by hand: enums are VARCHAR columns guarded by named CHECK constraints (identical
on SQLite and PostgreSQL); money is NUMERIC(14,4), weights and scores NUMERIC(7,2).

Revision ID: 1dc4306495d9
Revises: 
Create Date: 2026-11-23 12:16:43.252676

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '1dc4306495d9'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('units',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('short_name', sa.String(length=60), nullable=False),
    sa.Column('kind', sa.String(length=18), nullable=False),
    sa.Column('supervising_department', sa.String(length=200), nullable=False),
    sa.Column('bureau_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind = 'budget_unit' OR bureau_id IS NULL", name=op.f('ck_units_bureau_only_for_budget_units')),
    sa.CheckConstraint('length(name) > 0', name=op.f('ck_units_name_not_empty')),
    sa.ForeignKeyConstraint(['bureau_id'], ['units.id'], name=op.f('fk_units_bureau_id_units'), ondelete='RESTRICT'),
    sa.CheckConstraint("kind IN ('budget_unit', 'finance_bureau')", name=op.f('ck_units_unit_kind')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_units')),
    sa.UniqueConstraint('name', name=op.f('uq_units_name'))
    )
    op.create_table('due_dates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bureau_id', sa.Integer(), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['bureau_id'], ['units.id'], name=op.f('fk_due_dates_bureau_id_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_due_dates')),
    sa.UniqueConstraint('bureau_id', 'fiscal_year', name=op.f('uq_due_dates_bureau_id_fiscal_year'))
    )
    op.create_table('grade_schemes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('bureau_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['bureau_id'], ['units.id'], name=op.f('fk_grade_schemes_bureau_id_units'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grade_schemes')),
    sa.UniqueConstraint('name', name=op.f('uq_grade_schemes_name'))
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=64), nullable=False),
    sa.Column('phone', sa.String(length=32), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('password_hash', sa.String(length=256), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('is_preparer', sa.Boolean(), nullable=False),
    sa.Column('is_finance_officer', sa.Boolean(), nullable=False),
    sa.Column('is_admin', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('length(name) > 0', name=op.f('ck_users_name_not_empty')),
    sa.CheckConstraint('length(username) >= 2', name=op.f('ck_users_username_length')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_users_unit_id_units'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    op.create_index(op.f('ix_users_unit_id'), 'users', ['unit_id'], unique=False)

    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    op.create_index(op.f('ix_api_tokens_user_id'), 'api_tokens', ['user_id'], unique=False)

    op.create_table('evaluations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=14), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('supervising_department', sa.String(length=200), nullable=False),
    sa.Column('project_name', sa.String(length=200), nullable=False),
    sa.Column('project_leader', sa.String(length=64), nullable=False),
    sa.Column('project_leader_phone', sa.String(length=32), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=True),
    sa.Column('period_end', sa.Date(), nullable=True),
    sa.Column('timing', sa.String(length=15), nullable=False),
    sa.Column('method', sa.String(length=15), nullable=False),
    sa.Column('preparer_id', sa.Integer(), nullable=False),
    sa.Column('preparer_name', sa.String(length=64), nullable=False),
    sa.Column('preparer_phone', sa.String(length=32), nullable=False),
    sa.Column('report_date', sa.Date(), nullable=True),
    sa.Column('overall_goal', sa.Text(), nullable=False),
    sa.Column('problems', sa.Text(), nullable=False),
    sa.Column('measures', sa.Text(), nullable=False),
    sa.Column('total_weight', sa.Numeric(precision=7, scale=2), nullable=False),
    sa.Column('grade_scheme_id', sa.Integer(), nullable=False),
    sa.Column('template_key', sa.String(length=60), nullable=False),
    sa.Column('state', sa.String(length=22), nullable=False),
    sa.Column('revision_number', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('fiscal_year BETWEEN 2000 AND 2100', name=op.f('ck_evaluations_fiscal_year_range')),
    sa.CheckConstraint('length(project_name) > 0', name=op.f('ck_evaluations_project_name_not_empty')),
    sa.CheckConstraint('period_start IS NULL OR period_end IS NULL OR period_start <= period_end', name=op.f('ck_evaluations_period_ordered')),
    sa.CheckConstraint('revision_number >= 1', name=op.f('ck_evaluations_revision_number_positive')),
    sa.CheckConstraint('total_weight > 0', name=op.f('ck_evaluations_total_weight_positive')),
    sa.ForeignKeyConstraint(['grade_scheme_id'], ['grade_schemes.id'], name=op.f('fk_evaluations_grade_scheme_id_grade_schemes'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['preparer_id'], ['users.id'], name=op.f('fk_evaluations_preparer_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_evaluations_unit_id_units'), ondelete='RESTRICT'),
    sa.CheckConstraint("kind IN ('project', 'unit_whole')", name=op.f('ck_evaluations_evaluation_kind')),
    sa.CheckConstraint("timing IN ('ex_ante', 'in_progress', 'ex_post')", name=op.f('ck_evaluations_evaluation_timing')),
    sa.CheckConstraint("method IN ('self', 'department', 'third_party')", name=op.f('ck_evaluations_evaluation_method')),
    sa.CheckConstraint("state IN ('draft', 'team_review', 'leader_signoff', 'finance_acceptance', 'accepted', 'published')", name=op.f('ck_evaluations_evaluation_state')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluations'))
    )
    op.create_index(op.f('ix_evaluations_state'), 'evaluations', ['state'], unique=False)
    op.create_index(op.f('ix_evaluations_unit_id'), 'evaluations', ['unit_id'], unique=False)

    op.create_table('grade_bands',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scheme_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('min_score', sa.Numeric(precision=7, scale=2), nullable=False),
    sa.CheckConstraint('min_score >= 0', name=op.f('ck_grade_bands_min_score_not_negative')),
    sa.ForeignKeyConstraint(['scheme_id'], ['grade_schemes.id'], name=op.f('fk_grade_bands_scheme_id_grade_schemes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grade_bands')),
    sa.UniqueConstraint('scheme_id', 'min_score', name=op.f('uq_grade_bands_scheme_id_min_score')),
    sa.UniqueConstraint('scheme_id', 'name', name=op.f('uq_grade_bands_scheme_id_name'))
    )
    op.create_index(op.f('ix_grade_bands_scheme_id'), 'grade_bands', ['scheme_id'], unique=False)

    op.create_table('indicator_templates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=14), nullable=False),
    sa.Column('total_weight', sa.Numeric(precision=7, scale=2), nullable=False),
    sa.Column('grade_scheme_id', sa.Integer(), nullable=False),
    sa.Column('tree', sa.JSON(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('total_weight > 0', name=op.f('ck_indicator_templates_total_weight_positive')),
    sa.ForeignKeyConstraint(['grade_scheme_id'], ['grade_schemes.id'], name=op.f('fk_indicator_templates_grade_scheme_id_grade_schemes'), ondelete='RESTRICT'),
    sa.CheckConstraint("kind IN ('project', 'unit_whole')", name=op.f('ck_indicator_templates_template_kind')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_templates')),
    sa.UniqueConstraint('key', name=op.f('uq_indicator_templates_key'))
    )
    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_role', sa.String(length=40), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('from_state', sa.String(length=40), nullable=False),
    sa.Column('to_state', sa.String(length=40), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.CheckConstraint('length(hash) = 64', name=op.f('ck_audit_events_hash_length')),
    sa.CheckConstraint('length(prev_hash) = 64', name=op.f('ck_audit_events_prev_hash_length')),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_events_actor_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluations.id'], name=op.f('fk_audit_events_evaluation_id_evaluations'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events')),
    sa.UniqueConstraint('hash', name=op.f('uq_audit_events_hash'))
    )
    op.create_index(op.f('ix_audit_events_evaluation_id'), 'audit_events', ['evaluation_id'], unique=False)

    op.create_table('expense_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=100), nullable=False),
    sa.Column('planned', sa.Numeric(precision=14, scale=4), nullable=False),
    sa.Column('actual', sa.Numeric(precision=14, scale=4), nullable=False),
    sa.CheckConstraint('length(category) > 0', name=op.f('ck_expense_lines_category_not_empty')),
    sa.CheckConstraint('planned >= 0 AND actual >= 0', name=op.f('ck_expense_lines_amounts_not_negative')),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluations.id'], name=op.f('fk_expense_lines_evaluation_id_evaluations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_expense_lines'))
    )
    op.create_index(op.f('ix_expense_lines_evaluation_id'), 'expense_lines', ['evaluation_id'], unique=False)

    op.create_table('funding_sources',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=14), nullable=False),
    sa.Column('initial', sa.Numeric(precision=14, scale=4), nullable=True),
    sa.Column('planned', sa.Numeric(precision=14, scale=4), nullable=False),
    sa.Column('arrived', sa.Numeric(precision=14, scale=4), nullable=False),
    sa.Column('spent', sa.Numeric(precision=14, scale=4), nullable=False),
    sa.CheckConstraint('planned >= 0 AND arrived >= 0 AND spent >= 0 AND (initial IS NULL OR initial >= 0)', name=op.f('ck_funding_sources_amounts_not_negative')),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluations.id'], name=op.f('fk_funding_sources_evaluation_id_evaluations'), ondelete='CASCADE'),
    sa.CheckConstraint("source IN ('central', 'provincial', 'local', 'other')", name=op.f('ck_funding_sources_funding_source_kind')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_funding_sources')),
    sa.UniqueConstraint('evaluation_id', 'source', name=op.f('uq_funding_sources_evaluation_id_source'))
    )
    op.create_index(op.f('ix_funding_sources_evaluation_id'), 'funding_sources', ['evaluation_id'], unique=False)

    op.create_table('indicator_comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('indicator_code', sa.String(length=20), nullable=False),
    sa.Column('revision_number', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('length(body) > 0', name=op.f('ck_indicator_comments_body_not_empty')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_indicator_comments_author_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluations.id'], name=op.f('fk_indicator_comments_evaluation_id_evaluations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_comments'))
    )
    op.create_index(op.f('ix_indicator_comments_evaluation_id'), 'indicator_comments', ['evaluation_id'], unique=False)

    op.create_table('indicators',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('level', sa.SmallInteger(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('standard', sa.Text(), nullable=False),
    sa.Column('weight', sa.Numeric(precision=7, scale=2), nullable=False),
    sa.Column('target', sa.String(length=200), nullable=False),
    sa.Column('actual', sa.String(length=200), nullable=False),
    sa.Column('score', sa.Numeric(precision=7, scale=2), nullable=True),
    sa.Column('score_reason', sa.Text(), nullable=False),
    sa.Column('deviation_reason', sa.Text(), nullable=False),
    sa.Column('not_applicable', sa.Boolean(), nullable=False),
    sa.Column('rule_type', sa.String(length=16), nullable=False),
    sa.Column('rule_params', sa.JSON(), nullable=False),
    sa.CheckConstraint('length(name) > 0', name=op.f('ck_indicators_name_not_empty')),
    sa.CheckConstraint('level BETWEEN 1 AND 3', name=op.f('ck_indicators_level_range')),
    sa.CheckConstraint('score IS NULL OR (score >= 0 AND score <= weight)', name=op.f('ck_indicators_score_within_weight')),
    sa.CheckConstraint('weight >= 0', name=op.f('ck_indicators_weight_not_negative')),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluations.id'], name=op.f('fk_indicators_evaluation_id_evaluations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['parent_id'], ['indicators.id'], name=op.f('fk_indicators_parent_id_indicators'), ondelete='CASCADE'),
    sa.CheckConstraint("rule_type IN ('band_higher', 'band_lower', 'steps', 'over_cap', 'rate', 'deductions', 'per_miss', 'satisfaction', 'yes_no', 'target_ratio', 'manual')", name=op.f('ck_indicators_rule_type')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicators'))
    )
    op.create_index(op.f('ix_indicators_evaluation_id'), 'indicators', ['evaluation_id'], unique=False)
    op.create_index(op.f('ix_indicators_parent_id'), 'indicators', ['parent_id'], unique=False)

    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluations.id'], name=op.f('fk_notifications_evaluation_id_evaluations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications'))
    )
    op.create_index(op.f('ix_notifications_evaluation_id'), 'notifications', ['evaluation_id'], unique=False)
    op.create_index(op.f('ix_notifications_user_id'), 'notifications', ['user_id'], unique=False)

    op.create_table('revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('snapshot', sa.Text(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=False),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('returned_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('return_reason', sa.Text(), nullable=False),
    sa.CheckConstraint('length(content_hash) = 64', name=op.f('ck_revisions_content_hash_length')),
    sa.CheckConstraint('number >= 1', name=op.f('ck_revisions_number_positive')),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_revisions_approved_by_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluations.id'], name=op.f('fk_revisions_evaluation_id_evaluations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_revisions_submitted_by_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_revisions')),
    sa.UniqueConstraint('evaluation_id', 'number', name=op.f('uq_revisions_evaluation_id_number'))
    )
    op.create_index(op.f('ix_revisions_evaluation_id'), 'revisions', ['evaluation_id'], unique=False)

    op.create_table('sections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluations.id'], name=op.f('fk_sections_evaluation_id_evaluations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sections')),
    sa.UniqueConstraint('evaluation_id', 'key', name=op.f('uq_sections_evaluation_id_key'))
    )
    op.create_index(op.f('ix_sections_evaluation_id'), 'sections', ['evaluation_id'], unique=False)

    op.create_table('sub_projects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('budget', sa.Numeric(precision=14, scale=4), nullable=False),
    sa.Column('executed', sa.Numeric(precision=14, scale=4), nullable=False),
    sa.Column('returned', sa.Numeric(precision=14, scale=4), nullable=False),
    sa.Column('self_score', sa.Numeric(precision=7, scale=2), nullable=True),
    sa.Column('target', sa.Text(), nullable=False),
    sa.Column('achieved', sa.Text(), nullable=False),
    sa.CheckConstraint('budget >= 0 AND executed >= 0 AND returned >= 0', name=op.f('ck_sub_projects_amounts_not_negative')),
    sa.CheckConstraint('length(name) > 0', name=op.f('ck_sub_projects_name_not_empty')),
    sa.CheckConstraint('self_score IS NULL OR (self_score >= 0 AND self_score <= 100)', name=op.f('ck_sub_projects_self_score_range')),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluations.id'], name=op.f('fk_sub_projects_evaluation_id_evaluations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sub_projects'))
    )
    op.create_index(op.f('ix_sub_projects_evaluation_id'), 'sub_projects', ['evaluation_id'], unique=False)

    op.create_table('team_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=10), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('added_in_review', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluations.id'], name=op.f('fk_team_members_evaluation_id_evaluations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_team_members_user_id_users'), ondelete='RESTRICT'),
    sa.CheckConstraint("role IN ('leader', 'deputy', 'member')", name=op.f('ck_team_members_team_role')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_team_members')),
    sa.UniqueConstraint('evaluation_id', 'user_id', name=op.f('uq_team_members_evaluation_id_user_id'))
    )
    op.create_index(op.f('ix_team_members_evaluation_id'), 'team_members', ['evaluation_id'], unique=False)
    op.create_index(op.f('ix_team_members_user_id'), 'team_members', ['user_id'], unique=False)
    # One leader per team: a partial unique index (both SQLite and PostgreSQL support it).
    op.create_index('uq_team_members_one_leader', 'team_members', ['evaluation_id'], unique=True, sqlite_where=sa.text("role = 'leader'"), postgresql_where=sa.text("role = 'leader'"))

    op.create_table('evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('length(sha256) = 64', name=op.f('ck_evidence_sha256_length')),
    sa.CheckConstraint('size > 0', name=op.f('ck_evidence_size_positive')),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicators.id'], name=op.f('fk_evidence_indicator_id_indicators'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_evidence_uploaded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence'))
    )
    op.create_index(op.f('ix_evidence_indicator_id'), 'evidence', ['indicator_id'], unique=False)

    op.create_table('indicator_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('revision_id', sa.Integer(), nullable=False),
    sa.Column('indicator_code', sa.String(length=20), nullable=False),
    sa.Column('score', sa.Numeric(precision=7, scale=2), nullable=True),
    sa.Column('opinion', sa.Text(), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('score IS NULL OR score >= 0', name=op.f('ck_indicator_reviews_score_not_negative')),
    sa.ForeignKeyConstraint(['reviewer_id'], ['users.id'], name=op.f('fk_indicator_reviews_reviewer_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['revision_id'], ['revisions.id'], name=op.f('fk_indicator_reviews_revision_id_revisions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_reviews')),
    sa.UniqueConstraint('revision_id', 'indicator_code', name=op.f('uq_indicator_reviews_revision_id_indicator_code'))
    )
    op.create_index(op.f('ix_indicator_reviews_revision_id'), 'indicator_reviews', ['revision_id'], unique=False)

    op.create_table('published_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('revision_id', sa.Integer(), nullable=False),
    sa.Column('verification_code', sa.String(length=20), nullable=False),
    sa.Column('pdf', sa.LargeBinary(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('length(sha256) = 64', name=op.f('ck_published_reports_sha256_length')),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluations.id'], name=op.f('fk_published_reports_evaluation_id_evaluations'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['revision_id'], ['revisions.id'], name=op.f('fk_published_reports_revision_id_revisions'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_published_reports')),
    sa.UniqueConstraint('evaluation_id', name=op.f('uq_published_reports_evaluation_id')),
    sa.UniqueConstraint('verification_code', name=op.f('uq_published_reports_verification_code'))
    )
    op.create_table('signature_delegations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('revision_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('delegate_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('member_id <> delegate_id', name=op.f('ck_signature_delegations_not_self')),
    sa.ForeignKeyConstraint(['delegate_id'], ['users.id'], name=op.f('fk_signature_delegations_delegate_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['member_id'], ['users.id'], name=op.f('fk_signature_delegations_member_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['revision_id'], ['revisions.id'], name=op.f('fk_signature_delegations_revision_id_revisions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signature_delegations')),
    sa.UniqueConstraint('revision_id', 'member_id', name=op.f('uq_signature_delegations_revision_id_member_id'))
    )
    op.create_index(op.f('ix_signature_delegations_revision_id'), 'signature_delegations', ['revision_id'], unique=False)

    op.create_table('signatures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('revision_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('signer_id', sa.Integer(), nullable=False),
    sa.Column('team_role', sa.String(length=10), nullable=False),
    sa.Column('kind', sa.String(length=11), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('signed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('client_address', sa.String(length=64), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.CheckConstraint('length(content_hash) = 64', name=op.f('ck_signatures_content_hash_length')),
    sa.ForeignKeyConstraint(['member_id'], ['users.id'], name=op.f('fk_signatures_member_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['revision_id'], ['revisions.id'], name=op.f('fk_signatures_revision_id_revisions'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['signer_id'], ['users.id'], name=op.f('fk_signatures_signer_id_users'), ondelete='RESTRICT'),
    sa.CheckConstraint("team_role IN ('leader', 'deputy', 'member')", name=op.f('ck_signatures_signature_team_role')),
    sa.CheckConstraint("kind IN ('sign', 'approve')", name=op.f('ck_signatures_signature_kind')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signatures')),
    sa.UniqueConstraint('revision_id', 'member_id', name=op.f('uq_signatures_revision_id_member_id'))
    )
    op.create_index(op.f('ix_signatures_revision_id'), 'signatures', ['revision_id'], unique=False)



def downgrade():
    op.drop_index(op.f('ix_signatures_revision_id'), table_name='signatures')

    op.drop_table('signatures')
    op.drop_index(op.f('ix_signature_delegations_revision_id'), table_name='signature_delegations')

    op.drop_table('signature_delegations')
    op.drop_table('published_reports')
    op.drop_index(op.f('ix_indicator_reviews_revision_id'), table_name='indicator_reviews')

    op.drop_table('indicator_reviews')
    op.drop_index(op.f('ix_evidence_indicator_id'), table_name='evidence')

    op.drop_table('evidence')
    op.drop_index('uq_team_members_one_leader', table_name='team_members')
    op.drop_index(op.f('ix_team_members_user_id'), table_name='team_members')
    op.drop_index(op.f('ix_team_members_evaluation_id'), table_name='team_members')

    op.drop_table('team_members')
    op.drop_index(op.f('ix_sub_projects_evaluation_id'), table_name='sub_projects')

    op.drop_table('sub_projects')
    op.drop_index(op.f('ix_sections_evaluation_id'), table_name='sections')

    op.drop_table('sections')
    op.drop_index(op.f('ix_revisions_evaluation_id'), table_name='revisions')

    op.drop_table('revisions')
    op.drop_index(op.f('ix_notifications_user_id'), table_name='notifications')
    op.drop_index(op.f('ix_notifications_evaluation_id'), table_name='notifications')

    op.drop_table('notifications')
    op.drop_index(op.f('ix_indicators_parent_id'), table_name='indicators')
    op.drop_index(op.f('ix_indicators_evaluation_id'), table_name='indicators')

    op.drop_table('indicators')
    op.drop_index(op.f('ix_indicator_comments_evaluation_id'), table_name='indicator_comments')

    op.drop_table('indicator_comments')
    op.drop_index(op.f('ix_funding_sources_evaluation_id'), table_name='funding_sources')

    op.drop_table('funding_sources')
    op.drop_index(op.f('ix_expense_lines_evaluation_id'), table_name='expense_lines')

    op.drop_table('expense_lines')
    op.drop_index(op.f('ix_audit_events_evaluation_id'), table_name='audit_events')

    op.drop_table('audit_events')
    op.drop_table('indicator_templates')
    op.drop_index(op.f('ix_grade_bands_scheme_id'), table_name='grade_bands')

    op.drop_table('grade_bands')
    op.drop_index(op.f('ix_evaluations_unit_id'), table_name='evaluations')
    op.drop_index(op.f('ix_evaluations_state'), table_name='evaluations')

    op.drop_table('evaluations')
    op.drop_index(op.f('ix_api_tokens_user_id'), table_name='api_tokens')

    op.drop_table('api_tokens')
    op.drop_index(op.f('ix_users_unit_id'), table_name='users')

    op.drop_table('users')
    op.drop_table('grade_schemes')
    op.drop_table('due_dates')
    op.drop_table('units')
