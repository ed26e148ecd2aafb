"""Pure rules of 咨询投诉建议与综合点评 (issue 14, seed 004): kinds, channels, statuses,
refusal reasons and the acceptance filter. No ORM imports."""
