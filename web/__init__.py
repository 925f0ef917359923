"""Safeguard over HTTP: the API (`/api/v1`) and, built on it, the pages (issue 10).

How a page gets the principal and checks access (the API routes in web/api.py do the same):

- `create_app()` (web/app.py) builds the app; add page routers to it (`app.include_router`).
  `bootstrap.web_app(settings)` is the composition root's way to get one.
- The principal: depend on `web.identity.current_principal` (401 problem if nobody is signed in;
  a page may catch `web.problems.Problem` with status 401 and redirect to its sign-in page).
  Sign in with `await web.identity.sign_in(request, user_id, password)` (throttled, audited,
  returns the principal and the session's CSRF token); sign out with `web.identity.sign_out`.
- Forms: put `request.session["csrf"]` in a hidden `csrf_token` field and call
  `web.identity.check_csrf(request, principal, form["csrf_token"])` before acting.
- May they? Only the pure functions of `domain/access.py`: `may_read_case`, `may_complete`
  (pass the open step's `can_complete` from the case's status), `may_acknowledge`, `may_act_at`,
  `may_read_lists` + `sees_service` (filter rows), `may_read_governance`, `may_read_commissioning`.
  `web.api.visible_case(request, principal, case_id)` checks and audits a case read in one call
  (404 for a case they may not see). Record refusals with `web.api.refuse` or `web.identity.audit`.
- Act through casework (casework/commands.py, casework/queries.py) with the role the Decision
  names and `principal.user_id` as the actor: never a role or actor from the form.
"""
