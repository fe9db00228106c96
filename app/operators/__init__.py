"""Platform operators: run the deployment (queues, dependencies, agencies), never see an agency's data."""
