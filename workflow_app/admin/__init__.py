"""The administrator's pages: units, users, grade schemes and indicator templates."""
