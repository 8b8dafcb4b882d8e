"""MAX78000-legal PyTorch networks: layers, training, evaluation and exports."""
