// Generated from schema.gql by `npm run schema`: do not edit.

export type AgencyKind = 'AUTHORITY' | 'CHILD_PROTECTION' | 'EDUCATION' | 'GOVERNMENT_OFFICE' | 'GROUP' | 'JUDICIARY' | 'MINISTRY' | 'NGO' | 'OTHER' | 'POLICE' | 'PROSECUTION' | 'SOCIAL_SERVICES';
export type CampaignConductedScope = 'LOCAL' | 'NATIONAL';
export type EventOrder = 'NEWEST_FIRST' | 'OLDEST_FIRST';
export type FundingSource = 'EU' | 'NATIONAL' | 'SWISS_HUNGARIAN';
export type FundsDisbursedSource = 'EU' | 'NATIONAL' | 'SWISS_HUNGARIAN';
export type Granularity = 'MONTH' | 'QUARTER' | 'YEAR';
export type ImplementationLevel = 'COMPLETE' | 'LIMITED' | 'NOT_STARTED' | 'SUBSTANTIAL' | 'WITHDRAWN';
export type ImportRowStatus = 'CREATED' | 'DELETED' | 'DUPLICATE' | 'IGNORED' | 'REFUSED' | 'UPDATED' | 'VALID';
export type ImportStatus = 'ERROR' | 'OK' | 'WARNING';
export type ImportStrategy = 'CREATE' | 'CREATE_AND_UPDATE' | 'DELETE';
export type IndicatorAggregate = 'COUNT' | 'DISTINCT' | 'MILESTONE' | 'SUM';
export type MeasureStatus = 'ACHIEVED' | 'AWAITING_ASSESSMENT' | 'IN_PROGRESS' | 'NOT_STARTED' | 'OVERDUE' | 'WITHDRAWN';
export type MeetingHeldMeetingKind = 'BILATERAL' | 'COORDINATION' | 'INTERNATIONAL' | 'OTHER' | 'ROUND_TABLE' | 'WORKING_GROUP';
export type MismatchReason = 'EDITED' | 'HEAD_MISMATCH' | 'HEAD_NOT_FOUND' | 'MISSING' | 'NOT_APPENDED';
export type PeriodStatus = 'APPROVED' | 'OPEN' | 'REOPENED' | 'RETURNED' | 'SUBMITTED';
export type ReportStatus = 'ACTIVE' | 'RETRACTED';
export type Role = 'ADMIN' | 'AGENCY' | 'AUDITOR' | 'COORDINATOR';
export type StatusReason = 'ASSESSED_COMPLETE' | 'ASSESSED_LIMITED' | 'ASSESSED_NOT_STARTED' | 'ASSESSED_SUBSTANTIAL' | 'ASSESSED_WITHDRAWN' | 'DEADLINE_BEFORE_PLAN_START' | 'DEADLINE_PASSED' | 'NO_FINISH_LINE' | 'NO_REPORT' | 'TARGET_MET' | 'TARGET_NOT_MET';
