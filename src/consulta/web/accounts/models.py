# Accounts use Django's own User; organisers are users with the "add consultation" permission.
